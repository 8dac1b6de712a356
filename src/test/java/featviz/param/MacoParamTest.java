package featviz.param;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

class MacoParamTest {

    /** A spectrum of the given shape with distinct positive values, not symmetric, so nothing hides. */
    static Spectrum spectrum(int channels, int height, int width) {
        int f = RealDft2.frequencies(width);
        double[] v = GradientCheck.uniform(DataType.DOUBLE, 5, channels * height * f).addi(0.2).data().asDouble();
        float[] values = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            values[i] = (float) v[i];
        }
        return new Spectrum(channels, height, f, values);
    }

    /** |rfft2(planes)| per image as [N, C, H, F]. */
    private static INDArray magnitudeOf(INDArray planes, int height, int width) {
        long n = planes.size(0);
        long c = planes.size(1);
        RealDft2 dft = new RealDft2(height, width, DataType.DOUBLE);
        INDArray s = dft.forward(planes.castTo(DataType.DOUBLE).reshape('c', n * c, height, width));
        INDArray re = s.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all());
        INDArray im = s.get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.all());
        INDArray m = Transforms.sqrt(re.mul(re).addi(im.mul(im)), false); // [H, P, F]
        return m.permute(1, 0, 2).dup('c').reshape('c', n, c, height, RealDft2.frequencies(width));
    }

    @ParameterizedTest
    @CsvSource({"3, 12, 12, DOUBLE", "3, 11, 9, DOUBLE", "1, 10, 13, DOUBLE", "3, 16, 16, FLOAT"})
    void theMagnitudeIsKeptWhateverThePhase(int channels, int height, int width, DataType type) {
        MacoParam param = new MacoParam(new long[] {1, 2}, spectrum(channels, height, width), height, width,
                channels == 3, type);
        INDArray expected = param.magnitude().castTo(DataType.DOUBLE);
        for (int trial = 0; trial < 3; trial++) {
            // any phase: large, shifted, uneven
            param.parameters().assign(GradientCheck.uniform(type, 40 + trial, param.parameters().shape()).subi(0.3).muli(17 * (trial + 1)));
            INDArray magnitude = magnitudeOf(param.planes(), height, width);
            for (int b = 0; b < 2; b++) {
                INDArray got = magnitude.get(NDArrayIndex.point(b)).dup();
                INDArray want = expected.dup();
                double scale = expected.amaxNumber().doubleValue();
                // the real bins (mean and Nyquist rows of the kx = 0 and kx = W/2 columns) are m |cos p|, as in MACO
                for (int kx : width % 2 == 0 ? new int[] {0, width / 2} : new int[] {0}) {
                    for (int ky : height % 2 == 0 ? new int[] {0, height / 2} : new int[] {0}) {
                        for (int c = 0; c < channels; c++) {
                            assertTrue(got.getDouble(c, ky, kx) <= want.getDouble(c, ky, kx) * (1 + 1e-5) + 1e-6 * scale);
                            got.putScalar(new long[] {c, ky, kx}, 0);
                            want.putScalar(new long[] {c, ky, kx}, 0);
                        }
                    }
                }
                double error = got.sub(want).amaxNumber().doubleValue() / scale;
                assertTrue(error < (type == DataType.DOUBLE ? 1e-12 : 2e-6), "trial " + trial + " image " + b + ": " + error);
            }
        }
    }

    @Test
    void theImageIsStandardisedSoItsSpectrumIsTheMagnitudeScaled() {
        // a grey image is sigmoid(standardised planes): logit(image) has mean 0, std 1 and the magnitude's shape
        int h = 12;
        int w = 10;
        MacoParam param = new MacoParam(new long[] {3}, spectrum(1, h, w), h, w, false, DataType.DOUBLE);
        INDArray image = param.image();
        INDArray logit = Transforms.log(image.div(image.rsub(1.0)), false);
        assertEquals(0, logit.meanNumber().doubleValue(), 1e-9);
        assertEquals(1, logit.stdNumber().doubleValue() * Math.sqrt((h * w - 1.0) / (h * w)), 1e-3); // std + 1e-5 divides
        INDArray got = magnitudeOf(logit, h, w).reshape(h, RealDft2.frequencies(w));
        INDArray expected = param.magnitude().reshape(h, RealDft2.frequencies(w));
        double ratio = got.getDouble(1, 1) / expected.getDouble(1, 1);
        for (int[] real : new int[][] {{0, 0}, {h / 2, 0}, {0, w / 2}, {h / 2, w / 2}}) {
            got.putScalar(real[0], real[1], 0); // the real bins are m |cos p| (MACO's), the mean is taken out
            expected.putScalar(real[0], real[1], 0);
        }
        assertTrue(got.sub(expected.mul(ratio)).amaxNumber().doubleValue() < 1e-6 * got.amaxNumber().doubleValue());
    }

    @ParameterizedTest
    @CsvSource({"3, 10, 10, true", "3, 9, 12, true", "1, 11, 8, false", "3, 8, 7, false"})
    void backwardIsTheGradient(int channels, int height, int width, boolean decorrelate) {
        MacoParam param = new MacoParam(new long[] {7, 8}, spectrum(channels, height, width), height, width,
                decorrelate, DataType.DOUBLE);
        double[] errors = ParamChecks.gradientErrors(param, 21, 60);
        assertTrue(errors[0] < 1e-7, "directional error " + errors[0]);
        assertTrue(errors[1] < 1e-4, "coordinate error " + errors[1]);
    }

    @Test
    void anImageDependsOnItsSeedNotOnItsBatch() {
        Spectrum s = spectrum(3, 8, 8);
        INDArray alone = new MacoParam(new long[] {5}, s, 8, 8, true, DataType.FLOAT).image();
        INDArray inBatch = new MacoParam(new long[] {9, 5}, s, 8, 8, true, DataType.FLOAT).image();
        assertEquals(alone.get(NDArrayIndex.point(0)), inBatch.get(NDArrayIndex.point(1)));
    }

    @Test
    void theImageNetSpectrumIsReadAndResized() {
        Spectrum imagenet = Spectrum.imagenet();
        assertEquals(List.of(3, 512, 257), List.of(imagenet.channels(), imagenet.height(), imagenet.frequencies()));
        float[] v = imagenet.values();
        // natural images: the magnitude falls with frequency, the luminance channel carries most of it
        assertTrue(v[1] > v[100] && v[100] > v[256], v[1] + " " + v[100] + " " + v[256]);
        Spectrum small = imagenet.resizedFor(64, 64);
        assertEquals(List.of(3, 64, 33), List.of(small.channels(), small.height(), small.frequencies()));
        double[] perChannel = new double[3];
        float[] sv = small.values();
        for (int i = 0; i < sv.length; i++) {
            perChannel[i / (64 * 33)] += sv[i];
        }
        assertTrue(perChannel[0] > perChannel[1] && perChannel[0] > perChannel[2], java.util.Arrays.toString(perChannel));
    }

    @Test
    void theMeanSpectrumOfImagesIsTheirMeanMagnitude() {
        // two images whose spectra are known: a constant (DC only) and a cosine along x (one bin)
        int n = 8;
        INDArray flat = Nd4j.valueArrayOf(new long[] {1, 1, n, n}, 0.5);
        INDArray wave = Nd4j.create(DataType.DOUBLE, 1, 1, n, n);
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                wave.putScalar(new long[] {0, 0, y, x}, 0.5 + 0.25 * Math.cos(2 * Math.PI * 2 * x / n));
            }
        }
        Spectrum mean = Spectrum.meanOf(List.of(flat, wave), false);
        float[] v = mean.values();
        assertEquals(0.5 * n * n, v[0], 1e-4); // DC: both 0.5 * 64
        assertEquals(0.5 * 0.25 * n * n / 2, v[2], 1e-4); // bin kx = 2 of the wave, halved by the average
        assertEquals(0, v[1], 1e-4);
    }
}
