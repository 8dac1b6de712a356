package featviz.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The metrics on images made on the spot, against closed forms and a plain re-implementation. */
class ImageMetricsTest {
    static RgbImage random(int w, int h, long seed) {
        Random r = new Random(seed);
        int[] rgb = new int[w * h];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = r.nextInt(1 << 24);
        }
        return new RgbImage(w, h, rgb);
    }

    static RgbImage constant(int w, int h, int level) {
        int[] rgb = new int[w * h];
        java.util.Arrays.fill(rgb, level << 16 | level << 8 | level);
        return new RgbImage(w, h, rgb);
    }

    /** A copy with one channel of one pixel changed by {@code delta} (clamped to 0-255). */
    static RgbImage nudged(RgbImage image, int pixel, int channel, int delta) {
        int[] rgb = image.rgb().clone();
        int shift = 16 - 8 * channel;
        int level = Math.max(0, Math.min(255, ((rgb[pixel] >> shift) & 0xff) + delta));
        rgb[pixel] = (rgb[pixel] & ~(0xff << shift)) | level << shift;
        return new RgbImage(image.width(), image.height(), rgb);
    }

    /** Images with structure (smooth gradients plus texture), the kind SSIM is meant for. */
    static RgbImage gradient(int w, int h, double noise, long seed) {
        Random r = new Random(seed);
        int[] rgb = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int pixel = 0;
                for (int c = 0; c < 3; c++) {
                    double v = 128 + 100 * Math.sin((x + 2 * c) / 5.0) * Math.cos(y / 7.0) + noise * r.nextGaussian();
                    pixel |= (int) Math.max(0, Math.min(255, Math.round(v))) << (16 - 8 * c);
                }
                rgb[y * w + x] = pixel;
            }
        }
        return new RgbImage(w, h, rgb);
    }

    @Test
    void identicalImagesHaveNoDifferenceInfinitePsnrAndSsimOne() {
        RgbImage a = random(40, 30, 1);
        RgbImage b = new RgbImage(40, 30, a.rgb().clone());
        ImageMetrics m = ImageMetrics.of(a, b);
        assertEquals(0, m.maxAbsDiff());
        assertEquals(0, m.differingPixels());
        assertEquals(0.0, m.meanAbsDiff());
        assertEquals(Double.POSITIVE_INFINITY, m.psnr());
        assertEquals(1.0, m.ssim());
        assertTrue(m.identical());
        // The full SSIM computation agrees, not just the shortcut for identical pixels.
        assertEquals(1.0, ImageMetrics.ssim(a, b), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, ImageMetrics.psnr(a, b));
    }

    @Test
    void onePixelOneLevelOffIsMaxDiffOneWithTheExpectedPsnr() {
        RgbImage a = gradient(32, 32, 5, 2);
        RgbImage b = nudged(a, 17 * 32 + 5, 1, a.level(17 * 32 + 5, 1) == 255 ? -1 : 1);
        ImageMetrics m = ImageMetrics.of(a, b);
        assertEquals(1, m.maxAbsDiff());
        assertEquals(1, m.differingPixels());
        assertEquals(1.0 / (3 * 32 * 32), m.meanAbsDiff(), 1e-15);
        // MSE = 1 / (3 * 1024): PSNR = 10 log10(255^2 * 3072).
        assertEquals(10 * Math.log10(255.0 * 255 * 3072), m.psnr(), 1e-9);
        assertTrue(m.ssim() < 1 && m.ssim() > 0.9999, "ssim " + m.ssim());
        assertEquals(1, ImageMetrics.maxAbsDiff(a, b));
        assertEquals(m.psnr(), ImageMetrics.psnr(a, b), 1e-12);
    }

    @Test
    void maxDiffCountsEveryChannel() {
        RgbImage a = constant(4, 4, 100);
        assertEquals(7, ImageMetrics.maxAbsDiff(a, nudged(a, 3, 0, 7)));
        assertEquals(9, ImageMetrics.maxAbsDiff(a, nudged(a, 3, 1, -9)));
        assertEquals(255, ImageMetrics.maxAbsDiff(constant(4, 4, 0), constant(4, 4, 255)));
    }

    @Test
    void constantImagesHaveTheClosedFormSsim() {
        // No variance: SSIM is the luminance term (2ab + C1) / (a^2 + b^2 + C1) at every position.
        double c1 = Math.pow(0.01 * 255, 2);
        for (int[] ab : new int[][] {{100, 110}, {0, 255}, {30, 200}}) {
            double expected = (2.0 * ab[0] * ab[1] + c1) / ((double) ab[0] * ab[0] + (double) ab[1] * ab[1] + c1);
            assertEquals(expected, ImageMetrics.ssim(constant(20, 16, ab[0]), constant(20, 16, ab[1])), 1e-12);
        }
    }

    @Test
    void ssimMatchesAPlainTwoDimensionalWindowImplementation() {
        RgbImage a = gradient(23, 17, 10, 3);
        RgbImage b = gradient(23, 17, 30, 4);
        assertEquals(referenceSsim(a, b, 11), ImageMetrics.ssim(a, b), 1e-10);
        // Smaller than the window: the largest odd window that fits (7 for 8 x 9).
        RgbImage small = gradient(8, 9, 10, 5);
        RgbImage other = gradient(8, 9, 40, 6);
        assertEquals(referenceSsim(small, other, 7), ImageMetrics.ssim(small, other), 1e-10);
        RgbImage tiny = random(1, 1, 7);
        double s = ImageMetrics.ssim(tiny, random(1, 1, 8));
        assertTrue(s <= 1 && s >= -1, "ssim " + s);
    }

    @Test
    void ssimIsSymmetricAndFallsAsNoiseGrows() {
        RgbImage clean = gradient(48, 48, 0, 9);
        double previous = 1;
        for (double noise : new double[] {2, 8, 32, 96}) {
            RgbImage noisy = gradient(48, 48, noise, 10);
            double s = ImageMetrics.ssim(clean, noisy);
            assertEquals(s, ImageMetrics.ssim(noisy, clean), 1e-12);
            assertTrue(s < previous, "ssim " + s + " at noise " + noise + " not below " + previous);
            previous = s;
        }
        assertTrue(ImageMetrics.ssim(random(48, 48, 11), random(48, 48, 12)) < 0.1);
    }

    @Test
    void differentSizesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageMetrics.of(random(8, 8, 1), random(8, 9, 1)));
        assertTrue(e.getMessage().contains("8x8") && e.getMessage().contains("8x9"), e.getMessage());
    }

    @Test
    void diffImageAmplifiesTheLargestDifferenceToWhite() {
        RgbImage a = constant(5, 4, 100);
        RgbImage b = nudged(nudged(a, 6, 0, 3), 7, 2, -1);
        RgbImage diff = DiffImage.of(a, b);
        assertEquals(255, diff.level(6, 0));
        assertEquals(85, diff.level(7, 2));
        assertEquals(0, diff.rgb()[0]);
        assertEquals(85.0, DiffImage.amplification(3), 1e-12);
        RgbImage none = DiffImage.of(a, a);
        assertTrue(java.util.Arrays.stream(none.rgb()).allMatch(p -> p == 0));
    }

    @Test
    void toleranceNamesEachBoundThatFails() {
        ImageMetrics m = new ImageMetrics(8, 8, 3, 0.5, 2, 38.5, 0.97);
        assertEquals(java.util.List.of("max diff 3 > 0"), Tolerance.EXACT.violations(m));
        assertEquals(java.util.List.of(), new Tolerance(3, 38.0, 0.95).violations(m));
        assertEquals(java.util.List.of("max diff 3 > 2", "psnr 38.50 dB < 40", "ssim 0.970000 < 0.99"),
                new Tolerance(2, 40.0, 0.99).violations(m));
        assertEquals(java.util.List.of(), new Tolerance(null, 40.0, null)
                .violations(new ImageMetrics(8, 8, 0, 0, 0, Double.POSITIVE_INFINITY, 1)));
        assertEquals("inf", Tolerance.formatPsnr(Double.POSITIVE_INFINITY));
    }

    /** SSIM straight from the definition: every window position, 2-D Gaussian weights, per channel. */
    static double referenceSsim(RgbImage a, RgbImage b, int k) {
        double sigma = 1.5;
        double[][] w = new double[k][k];
        double sum = 0;
        int r = k / 2;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                w[i][j] = Math.exp(-((i - r) * (i - r) + (j - r) * (j - r)) / (2 * sigma * sigma));
                sum += w[i][j];
            }
        }
        double c1 = Math.pow(0.01 * 255, 2);
        double c2 = Math.pow(0.03 * 255, 2);
        double total = 0;
        for (int c = 0; c < 3; c++) {
            double channel = 0;
            int positions = 0;
            for (int y0 = 0; y0 + k <= a.height(); y0++) {
                for (int x0 = 0; x0 + k <= a.width(); x0++) {
                    double mx = 0, my = 0;
                    for (int i = 0; i < k; i++) {
                        for (int j = 0; j < k; j++) {
                            int p = (y0 + i) * a.width() + x0 + j;
                            mx += w[i][j] / sum * a.level(p, c);
                            my += w[i][j] / sum * b.level(p, c);
                        }
                    }
                    double vx = 0, vy = 0, cov = 0;
                    for (int i = 0; i < k; i++) {
                        for (int j = 0; j < k; j++) {
                            int p = (y0 + i) * a.width() + x0 + j;
                            double dx = a.level(p, c) - mx;
                            double dy = b.level(p, c) - my;
                            vx += w[i][j] / sum * dx * dx;
                            vy += w[i][j] / sum * dy * dy;
                            cov += w[i][j] / sum * dx * dy;
                        }
                    }
                    channel += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                    positions++;
                }
            }
            total += channel / positions;
        }
        return total / 3;
    }
}
