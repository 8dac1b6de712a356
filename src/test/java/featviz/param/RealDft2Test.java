package featviz.param;

import static org.junit.jupiter.api.Assertions.assertEquals;

import featviz.GradientCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class RealDft2Test {
    /** numpy's irfft2 written out plainly: a complex inverse DFT along y, then irfft along x. */
    private static double[][] naiveIrfft2(double[][] re, double[][] im, int width) {
        int height = re.length;
        int freqs = re[0].length;
        double[][] zRe = new double[height][freqs];
        double[][] zIm = new double[height][freqs];
        for (int y = 0; y < height; y++) {
            for (int kx = 0; kx < freqs; kx++) {
                for (int ky = 0; ky < height; ky++) {
                    double a = 2 * Math.PI * ky * y / height;
                    zRe[y][kx] += (re[ky][kx] * Math.cos(a) - im[ky][kx] * Math.sin(a)) / height;
                    zIm[y][kx] += (re[ky][kx] * Math.sin(a) + im[ky][kx] * Math.cos(a)) / height;
                }
            }
        }
        double[][] out = new double[height][width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double sum = zRe[y][0]; // irfft ignores the imaginary part of the DC bin ...
                for (int kx = 1; kx < freqs; kx++) {
                    double a = 2 * Math.PI * kx * x / width;
                    double term = zRe[y][kx] * Math.cos(a) - zIm[y][kx] * Math.sin(a);
                    // ... and of the Nyquist bin, which has no mirror image to double it
                    sum += 2 * kx == width ? zRe[y][kx] * Math.cos(a) : 2 * term;
                }
                out[y][x] = sum / width;
            }
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"6, 8", "7, 5", "5, 6", "1, 4"})
    void inverseIsNumpysIrfft2(int height, int width) {
        int freqs = RealDft2.frequencies(width);
        INDArray spectrum = GradientCheck.uniform(DataType.DOUBLE, 11, height, 2, 5, freqs).subi(0.5);
        INDArray image = new RealDft2(height, width, DataType.DOUBLE).inverse(spectrum);
        for (int p = 0; p < 5; p++) {
            double[][] re = new double[height][freqs];
            double[][] im = new double[height][freqs];
            for (int ky = 0; ky < height; ky++) {
                for (int kx = 0; kx < freqs; kx++) {
                    re[ky][kx] = spectrum.getDouble(ky, 0, p, kx);
                    im[ky][kx] = spectrum.getDouble(ky, 1, p, kx);
                }
            }
            double[][] expected = naiveIrfft2(re, im, width);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    assertEquals(expected[y][x], image.getDouble(p, y, x), 1e-13);
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"6, 8", "7, 5", "4, 9"})
    void singleFrequencyIsACosine(int height, int width) {
        INDArray spectrum = Nd4j.zeros(DataType.DOUBLE, height, 2, 1, RealDft2.frequencies(width));
        spectrum.putScalar(new long[] {1, 0, 0, 2}, height * width / 2.0); // ky = 1, kx = 2, real
        INDArray image = new RealDft2(height, width, DataType.DOUBLE).inverse(spectrum);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                // the bin and its mirror image (-ky, -kx) add up to a full-amplitude cosine
                double expected = Math.cos(2 * Math.PI * (y / (double) height + 2 * x / (double) width));
                assertEquals(expected, image.getDouble(0, y, x), 1e-14);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"6, 8", "7, 5", "5, 6"})
    void forwardInvertsAndAdjointIsTheTranspose(int height, int width) {
        RealDft2 dft = new RealDft2(height, width, DataType.DOUBLE);
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, 12, 6, height, width).subi(0.5);
        assertEquals(0, dft.inverse(dft.forward(x)).sub(x).amaxNumber().doubleValue(), 1e-13);

        INDArray s = GradientCheck.uniform(DataType.DOUBLE, 13, height, 2, 6, RealDft2.frequencies(width)).subi(0.5);
        double lhs = ParamChecks.dot(dft.inverse(s), x);
        double rhs = ParamChecks.dot(s, dft.inverseAdjoint(x));
        assertEquals(0, (lhs - rhs) / Math.abs(lhs), 1e-12);
    }
}
