package featviz.param;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Grey (1-channel) and 4-channel images: the parameterizations at other channel counts than RGB's 3. */
class ChannelCountTest {

    @ParameterizedTest
    @CsvSource({"1, 16, 16", "1, 13, 10", "4, 16, 16", "4, 9, 15", "2, 8, 8"})
    void fourierBackwardIsTheGradient(int channels, int height, int width) {
        FourierParam param = new FourierParam(2, channels, height, width, false, 3, DataType.DOUBLE);
        param.parameters().muli(30); // far from grey, so the sigmoid is visibly nonlinear
        assertArrayEquals(new long[] {2, channels, height, width}, param.image().shape());
        assertEquals((long) height * 2 * 2 * channels * (width / 2 + 1), param.parameters().length());
        assertIsTheGradient(param, 21, 200);
    }

    static void assertIsTheGradient(ImageParam param, long seed, int samples) {
        double[] errors = ParamChecks.gradientErrors(param, seed, samples);
        assertTrue(errors[0] < 1e-7, "directional error " + errors[0]);
        assertTrue(errors[1] < 1e-4, "coordinate error " + errors[1]);
    }

    @ParameterizedTest
    @CsvSource({"1", "4"})
    void pixelBackwardIsTheGradient(int channels) {
        PixelParam param = new PixelParam(GradientCheck.uniform(DataType.DOUBLE, 5, 2, channels, 7, 9));
        assertIsTheGradient(param, 22, 100);
    }

    @ParameterizedTest
    @CsvSource({"1", "4"})
    void fourierStartsFromAPictureOfThatManyChannels(int channels) {
        INDArray picture = GradientCheck.uniform(DataType.DOUBLE, 9, 1, channels, 12, 11).muli(0.9).addi(0.05);
        INDArray image = FourierParam.fromImage(picture, false).image();
        assertArrayEquals(picture.shape(), image.shape());
        assertTrue(image.equalsWithEps(picture, 1e-9), "max difference " + image.sub(picture).amaxNumber());
    }

    /** A grey image is not a channel per seed's noise: the first image does not depend on how many follow. */
    @Test
    void greyNoiseOfOneImageDoesNotDependOnTheBatch() {
        INDArray alone = new FourierParam(new long[] {5}, 1, 10, 10, false).image();
        INDArray first = new FourierParam(new long[] {5, 6}, 1, 10, 10, false).image();
        assertEquals(alone.slice(0), first.slice(0));
    }

    @Test
    void colourDecorrelationIsRefusedForOtherThanThreeChannels() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FourierParam(1, 1, 8, 8, true, 1, DataType.DOUBLE));
        assertTrue(e.getMessage().contains("3-channel"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> FourierParam.fromImage(GradientCheck.uniform(DataType.DOUBLE, 1, 1, 4, 8, 8), true));
        assertThrows(IllegalArgumentException.class,
                () -> DecorrelatedPixelParam.fromImage(GradientCheck.uniform(DataType.DOUBLE, 1, 1, 1, 8, 8)));
    }
}
