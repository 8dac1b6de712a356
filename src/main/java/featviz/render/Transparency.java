package featviz.render;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A render's accumulated |gradient| ({@link RenderResult#transparency}) as an opacity in [0, 1], normalised as
 * Horama's {@code plot_maco} shows MACO's transparency: clipped at its 80th percentile, so that a few hot pixels
 * do not leave the rest invisible, then divided by its maximum. A map that is zero everywhere (a unit that
 * never got a gradient) stays zero: fully transparent.
 */
public final class Transparency {
    /** Horama's {@code percentile_alpha} default. */
    public static final double PERCENTILE = 80;

    private Transparency() {
    }

    /** Image {@code b}'s opacity, FLOAT [1, 1, H, W] in [0, 1]. */
    public static INDArray opacity(INDArray accumulated, int b) {
        long h = accumulated.size(2);
        long w = accumulated.size(3);
        double[] values = accumulated.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b)).dup('c')
                .castTo(DataType.DOUBLE).data().asDouble();
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double clip = percentile(sorted, PERCENTILE);
        float[] out = new float[values.length];
        if (clip > 0) {
            for (int i = 0; i < values.length; i++) {
                out[i] = (float) (Math.min(values[i], clip) / clip);
            }
        }
        return Nd4j.create(out, new long[] {1, 1, h, w}, 'c');
    }

    /** Linear interpolation between order statistics, as numpy's default percentile. */
    static double percentile(double[] sorted, double p) {
        double pos = p / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /** The image [1, C, H, W] with the opacity [1, 1, H, W] as an extra, last channel: grey+alpha or RGBA. */
    public static INDArray withAlpha(INDArray image, INDArray opacity) {
        return Nd4j.concat(1, image.castTo(DataType.FLOAT), opacity.castTo(DataType.FLOAT));
    }

    /**
     * The opacity as a heat map: black (no gradient) through red and yellow to white (the most), the "hot"
     * colour map, monotonic in brightness so it also reads in grey.
     */
    public static java.awt.image.BufferedImage heatMap(INDArray opacity) {
        int h = (int) opacity.size(2);
        int w = (int) opacity.size(3);
        float[] v = opacity.dup('c').castTo(DataType.FLOAT).data().asFloat();
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double t = Math.max(0, Math.min(1, v[y * w + x]));
                int r = level(t * 3);
                int g = level(t * 3 - 1);
                int bl = level(t * 3 - 2);
                img.setRGB(x, y, (r << 16) | (g << 8) | bl);
            }
        }
        return img;
    }

    private static int level(double x) {
        return (int) Math.round(255 * Math.max(0, Math.min(1, x)));
    }
}
