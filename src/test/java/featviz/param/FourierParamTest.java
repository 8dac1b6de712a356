package featviz.param;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class FourierParamTest {
    @ParameterizedTest
    @CsvSource({"true, 16, 16", "false, 16, 16", "true, 13, 10", "false, 9, 15"})
    void backwardIsTheGradient(boolean decorrelate, int height, int width) {
        FourierParam param = new FourierParam(2, height, width, decorrelate, 3, DataType.DOUBLE);
        // a start farther from grey than Lucid's, so the sigmoid is visibly nonlinear
        param.parameters().muli(30);
        double[] errors = ParamChecks.gradientErrors(param, 21, 200);
        assertTrue(errors[0] < 1e-7, "directional error " + errors[0]);
        assertTrue(errors[1] < 1e-4, "coordinate error " + errors[1]);
    }

    @Test
    void imagesAreInTheirShapeAndRange() {
        FourierParam param = new FourierParam(2, 12, 9, true, 1, DataType.DOUBLE);
        param.parameters().muli(1000);
        INDArray image = param.image();
        assertEquals(java.util.List.of(2L, 3L, 12L, 9L), java.util.Arrays.stream(image.shape()).boxed().toList());
        assertTrue(image.minNumber().doubleValue() >= 0 && image.maxNumber().doubleValue() <= 1);
        assertEquals(2L * 3 * 12 * 2 * 5, param.parameters().length());
    }

    @Test
    void backwardFollowsParametersChangedSinceTheLastImage() {
        INDArray grad = GradientCheck.uniform(DataType.DOUBLE, 8, 1, 3, 10, 10);
        INDArray delta = GradientCheck.uniform(DataType.DOUBLE, 9, 10, 2, 3, 6);
        FourierParam stale = new FourierParam(1, 10, 10, true, 4, DataType.DOUBLE);
        stale.image();
        stale.parameters().addi(delta); // as an optimiser step does, without a new image()
        FourierParam fresh = new FourierParam(1, 10, 10, true, 4, DataType.DOUBLE);
        fresh.parameters().addi(delta);
        fresh.image();
        assertEquals(fresh.backward(grad), stale.backward(grad));
    }

    @Test
    void startIsNearGreyWithLittleHighFrequencyEnergy() {
        int size = 64;
        INDArray image = new FourierParam(1, size, size, true, 7, DataType.DOUBLE).image();
        double deviation = image.sub(0.5).amaxNumber().doubleValue();
        assertTrue(deviation < 0.05 && deviation > 1e-4, "largest deviation from grey " + deviation);
        for (int c = 0; c < 3; c++) {
            double share = highFrequencyShare(image, c);
            // white noise would put ~80% of its energy above a quarter of the sampling rate; 1/f noise ~20%
            assertTrue(share < 0.35, "channel " + c + ": high-frequency share " + share);
        }
    }

    /** Share of the (mean-free) energy of one channel at frequencies above 1/4, by a plain separable DFT. */
    private static double highFrequencyShare(INDArray image, int channel) {
        int n = (int) image.size(2); // square
        double[][] v = new double[n][n];
        double mean = 0;
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                v[y][x] = image.getDouble(0, channel, y, x);
                mean += v[y][x] / (n * n);
            }
        }
        // along x: rows of complex values, then along y
        double[][] re = new double[n][n];
        double[][] im = new double[n][n];
        for (int y = 0; y < n; y++) {
            for (int k = 0; k < n; k++) {
                for (int x = 0; x < n; x++) {
                    double a = -2 * Math.PI * ((k * x) % n) / n;
                    re[y][k] += (v[y][x] - mean) * Math.cos(a);
                    im[y][k] += (v[y][x] - mean) * Math.sin(a);
                }
            }
        }
        double high = 0;
        double total = 0;
        for (int ky = 0; ky < n; ky++) {
            for (int kx = 0; kx < n; kx++) {
                double sumRe = 0;
                double sumIm = 0;
                for (int y = 0; y < n; y++) {
                    double a = -2 * Math.PI * ((ky * y) % n) / n;
                    sumRe += re[y][kx] * Math.cos(a) - im[y][kx] * Math.sin(a);
                    sumIm += re[y][kx] * Math.sin(a) + im[y][kx] * Math.cos(a);
                }
                double fy = Math.min(ky, n - ky) / (double) n;
                double fx = Math.min(kx, n - kx) / (double) n;
                double power = sumRe * sumRe + sumIm * sumIm;
                total += power;
                if (Math.sqrt(fx * fx + fy * fy) > 0.25) {
                    high += power;
                }
            }
        }
        return high / total;
    }

    @Test
    void sameSeedSameImageOnAnyPrecision() {
        INDArray a = new FourierParam(2, 16, 16, true, 42, DataType.DOUBLE).image();
        INDArray b = new FourierParam(2, 16, 16, true, 42, DataType.DOUBLE).image();
        INDArray single = new FourierParam(2, 16, 16, true, 42).image();
        INDArray other = new FourierParam(2, 16, 16, true, 43, DataType.DOUBLE).image();
        assertEquals(a, b);
        assertEquals(DataType.FLOAT, single.dataType());
        assertEquals(0, single.castTo(DataType.DOUBLE).sub(a).amaxNumber().doubleValue(), 1e-6);
        assertNotEquals(a, other);
        // the first image does not depend on how many follow it
        INDArray alone = new FourierParam(1, 16, 16, true, 42, DataType.DOUBLE).image();
        assertEquals(0, alone.sub(a.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1))).amaxNumber().doubleValue(),
                0.0);
    }

    @ParameterizedTest
    @CsvSource({"true, 12, 12", "false, 11, 14"})
    void startsFromAPicture(boolean decorrelate, int height, int width) {
        INDArray picture = GradientCheck.uniform(DataType.DOUBLE, 5, 2, 3, height, width).muli(0.98).addi(0.01);
        INDArray image = FourierParam.fromImage(picture, decorrelate).image();
        assertEquals(0, image.sub(picture).amaxNumber().doubleValue(), 1e-10);
        // pure black and white come back within half an 8-bit step
        INDArray extremes = picture.gt(0.5).castTo(DataType.DOUBLE);
        INDArray back = FourierParam.fromImage(extremes, decorrelate).image();
        assertTrue(back.sub(extremes).amaxNumber().doubleValue() < 0.5 / 255);
    }

    @Test
    void spectrumScaleIsLucids() {
        double[] scale = FourierParam.spectrumScale(8, 6);
        int freqs = 4;
        double root = Math.sqrt(48);
        assertEquals(8 * root, scale[0], 1e-12); // DC: f floored at 1 / max(h, w)
        assertEquals(root / Math.sqrt(1 / 36.0 + 1 / 64.0), scale[1 * freqs + 1], 1e-12);
        assertEquals(root / Math.sqrt(0.25 + 0.25), scale[4 * freqs + 3], 1e-12); // both Nyquist: fftfreq -0.5
        assertEquals(scale[1 * freqs + 2], scale[7 * freqs + 2], 1e-12); // ky = 7 is the frequency -1/8
    }
}
