package featviz.compare;

/**
 * How far apart two images of the same size are, on 8-bit sRGB levels (0-255), all channels counted.
 *
 * <ul>
 *   <li>{@code maxAbsDiff}: the largest |A - B| of any channel of any pixel, 0-255; 0 means the pixels are identical.
 *   <li>{@code meanAbsDiff}: the mean |A - B| over all channels of all pixels.
 *   <li>{@code differingPixels}: pixels where at least one channel differs.
 *   <li>{@code psnr}: peak signal-to-noise ratio, {@code 10 log10(255^2 / MSE)} in dB, MSE over all channels of
 *       all pixels; {@link Double#POSITIVE_INFINITY} for identical images.
 *   <li>{@code ssim}: mean structural similarity (Wang, Bovik, Sheikh, Simoncelli 2004), see {@link #ssim}.
 * </ul>
 */
public record ImageMetrics(int width, int height, int maxAbsDiff, double meanAbsDiff, long differingPixels,
                           double psnr, double ssim) {

    /** Dynamic range L of 8-bit levels. */
    public static final double L = 255;
    public static final double K1 = 0.01;
    public static final double K2 = 0.03;
    /** Side of the Gaussian window, and its standard deviation, as in the paper. */
    public static final int WINDOW = 11;
    public static final double SIGMA = 1.5;

    /** @throws IllegalArgumentException when the images differ in size */
    public static ImageMetrics of(RgbImage a, RgbImage b) {
        requireSameSize(a, b);
        int max = 0;
        long sumAbs = 0;
        long sumSquares = 0;
        long differing = 0;
        int[] pa = a.rgb();
        int[] pb = b.rgb();
        for (int i = 0; i < pa.length; i++) {
            if (pa[i] == pb[i]) {
                continue;
            }
            differing++;
            for (int c = 0; c < 3; c++) {
                int d = Math.abs(a.level(i, c) - b.level(i, c));
                max = Math.max(max, d);
                sumAbs += d;
                sumSquares += (long) d * d;
            }
        }
        long samples = 3L * pa.length;
        double psnr = psnrOf((double) sumSquares / samples);
        double ssim = differing == 0 ? 1.0 : ssim(a, b);
        return new ImageMetrics(a.width(), a.height(), max, (double) sumAbs / samples, differing, psnr, ssim);
    }

    public boolean identical() {
        return maxAbsDiff == 0;
    }

    /** The largest |A - B| over all channels and pixels, 0-255. */
    public static int maxAbsDiff(RgbImage a, RgbImage b) {
        requireSameSize(a, b);
        int max = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            for (int c = 0; c < 3; c++) {
                max = Math.max(max, Math.abs(a.level(i, c) - b.level(i, c)));
            }
        }
        return max;
    }

    /** PSNR in dB over all channels; infinite for identical images. */
    public static double psnr(RgbImage a, RgbImage b) {
        requireSameSize(a, b);
        long sumSquares = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            for (int c = 0; c < 3; c++) {
                int d = a.level(i, c) - b.level(i, c);
                sumSquares += (long) d * d;
            }
        }
        return psnrOf((double) sumSquares / (3.0 * a.rgb().length));
    }

    private static double psnrOf(double mse) {
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(L * L / mse);
    }

    /**
     * Mean SSIM, computed per RGB channel and averaged over the three: the standard form of Wang et al.
     * 2004 (their reference {@code ssim_index.m}), with an 11 x 11 Gaussian window of standard deviation
     * 1.5 normalised to sum 1, K1 = 0.01, K2 = 0.03, L = 255, no downsampling, and the mean taken over the
     * window positions that lie wholly inside the image ("valid"). An image smaller than 11 pixels on a
     * side gets the largest odd window that fits, the same Gaussian truncated to it and renormalised.
     * 1 for identical images; below 1 otherwise, down to -1.
     */
    public static double ssim(RgbImage a, RgbImage b) {
        requireSameSize(a, b);
        int w = a.width();
        int h = a.height();
        int k = Math.min(WINDOW, Math.min(w, h));
        if (k % 2 == 0) {
            k--;
        }
        double[] window = gaussian(k, SIGMA);
        double c1 = (K1 * L) * (K1 * L);
        double c2 = (K2 * L) * (K2 * L);
        int n = w * h;
        double total = 0;
        for (int c = 0; c < 3; c++) {
            double[] x = new double[n];
            double[] y = new double[n];
            double[] xx = new double[n];
            double[] yy = new double[n];
            double[] xy = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = a.level(i, c);
                y[i] = b.level(i, c);
                xx[i] = x[i] * x[i];
                yy[i] = y[i] * y[i];
                xy[i] = x[i] * y[i];
            }
            double[] mx = filterValid(x, w, h, window);
            double[] my = filterValid(y, w, h, window);
            double[] sxx = filterValid(xx, w, h, window);
            double[] syy = filterValid(yy, w, h, window);
            double[] sxy = filterValid(xy, w, h, window);
            double sum = 0;
            for (int i = 0; i < mx.length; i++) {
                double mux = mx[i];
                double muy = my[i];
                double varX = sxx[i] - mux * mux;
                double varY = syy[i] - muy * muy;
                double cov = sxy[i] - mux * muy;
                sum += ((2 * mux * muy + c1) * (2 * cov + c2)) / ((mux * mux + muy * muy + c1) * (varX + varY + c2));
            }
            total += sum / mx.length;
        }
        return total / 3;
    }

    /** A 1-D Gaussian of {@code size} taps (odd), sum 1; the 2-D window is its outer product with itself. */
    static double[] gaussian(int size, double sigma) {
        double[] g = new double[size];
        int r = size / 2;
        double sum = 0;
        for (int i = 0; i < size; i++) {
            g[i] = Math.exp(-((i - r) * (i - r)) / (2 * sigma * sigma));
            sum += g[i];
        }
        for (int i = 0; i < size; i++) {
            g[i] /= sum;
        }
        return g;
    }

    /** Separable correlation with {@code g} x {@code g}, positions where the window fits: (h-k+1) x (w-k+1). */
    static double[] filterValid(double[] image, int w, int h, double[] g) {
        int k = g.length;
        int ow = w - k + 1;
        int oh = h - k + 1;
        double[] rows = new double[h * ow];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < ow; x++) {
                double s = 0;
                int base = y * w + x;
                for (int j = 0; j < k; j++) {
                    s += g[j] * image[base + j];
                }
                rows[y * ow + x] = s;
            }
        }
        double[] out = new double[oh * ow];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                double s = 0;
                for (int j = 0; j < k; j++) {
                    s += g[j] * rows[(y + j) * ow + x];
                }
                out[y * ow + x] = s;
            }
        }
        return out;
    }

    private static void requireSameSize(RgbImage a, RgbImage b) {
        if (!a.sameSize(b)) {
            throw new IllegalArgumentException("images differ in size: " + a.sizeText() + " and " + b.sizeText());
        }
    }
}
