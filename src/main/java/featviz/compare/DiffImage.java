package featviz.compare;

/**
 * A picture of where and how much two images differ: per channel {@code |A - B|}, amplified so that the
 * largest difference is full brightness (level 255). Black is "identical"; a single changed level shows
 * as a bright dot. The amplification is a whole-image factor, {@code 255 / maxAbsDiff}.
 */
public final class DiffImage {
    private DiffImage() {
    }

    /** @throws IllegalArgumentException when the images differ in size */
    public static RgbImage of(RgbImage a, RgbImage b) {
        int max = ImageMetrics.maxAbsDiff(a, b);
        int[] out = new int[a.rgb().length];
        if (max > 0) {
            double gain = amplification(max);
            for (int i = 0; i < out.length; i++) {
                int pixel = 0;
                for (int c = 0; c < 3; c++) {
                    int d = Math.abs(a.level(i, c) - b.level(i, c));
                    int v = Math.min(255, (int) Math.round(d * gain));
                    pixel |= v << (16 - 8 * c);
                }
                out[i] = pixel;
            }
        }
        return new RgbImage(a.width(), a.height(), out);
    }

    /** The factor {@link #of} multiplies differences by: 255 / maxAbsDiff (1 when nothing differs). */
    public static double amplification(int maxAbsDiff) {
        return maxAbsDiff == 0 ? 1 : 255.0 / maxAbsDiff;
    }
}
