package featviz.param;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import featviz.model.op.PortableOps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MACO's ND4J path ({@link MacoOnDevice}, what the portable path and so the CUDA backend run) computes the same
 * function as its host loops, forward and backward, and its backward is the gradient.
 */
class MacoOnDeviceTest {

    private static MacoParam param(int channels, int height, int width, boolean decorrelate, DataType type,
                                   boolean onDevice) {
        return new MacoParam(new long[] {4, 5, 6}, MacoParamTest.spectrum(channels, height, width), height, width,
                decorrelate, type, onDevice);
    }

    /** max |got - want| / max |want|. */
    private static double relative(INDArray got, INDArray want) {
        INDArray w = want.castTo(DataType.DOUBLE);
        return got.castTo(DataType.DOUBLE).sub(w).amaxNumber().doubleValue() / w.amaxNumber().doubleValue();
    }

    @ParameterizedTest
    @CsvSource({
        "3, 12, 12, true, DOUBLE", "3, 11, 9, true, DOUBLE", "1, 10, 13, false, DOUBLE", "1, 9, 8, false, DOUBLE",
        "3, 8, 7, false, DOUBLE",
        "3, 12, 12, true, FLOAT", "3, 11, 9, true, FLOAT", "1, 10, 13, false, FLOAT", "1, 9, 8, false, FLOAT",
        "3, 32, 32, true, FLOAT"})
    void theDevicePathIsTheHostPathsFunction(int channels, int height, int width, boolean decorrelate, DataType type) {
        MacoParam host = param(channels, height, width, decorrelate, type, false);
        MacoParam device = param(channels, height, width, decorrelate, type, true);
        assertFalse(host.computesOnDevice());
        assertTrue(device.computesOnDevice());
        double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
        for (int trial = 0; trial < 3; trial++) {
            // random phases, large and shifted, the same for both
            INDArray phase = GradientCheck.uniform(type, 70 + trial, host.parameters().shape()).subi(0.4).muli(5 * (trial + 1));
            host.parameters().assign(phase);
            device.parameters().assign(phase);
            INDArray image = device.image();
            double imageError = relative(image, host.image());
            assertTrue(imageError < tolerance, "trial " + trial + ": image " + imageError);
            INDArray grad = GradientCheck.uniform(type, 90 + trial, image.shape()).subi(0.5);
            double gradError = relative(device.backward(grad), host.backward(grad));
            assertTrue(gradError < tolerance, "trial " + trial + ": gradient " + gradError);
        }
    }

    @Test
    void backwardFollowsThePhaseChangedSinceTheLastImage() {
        MacoParam host = param(3, 10, 10, true, DataType.DOUBLE, false);
        MacoParam device = param(3, 10, 10, true, DataType.DOUBLE, true);
        device.image();
        INDArray phase = GradientCheck.uniform(DataType.DOUBLE, 3, host.parameters().shape());
        host.parameters().assign(phase);
        device.parameters().assign(phase); // in place, as an optimiser does, after the image
        INDArray grad = GradientCheck.uniform(DataType.DOUBLE, 4, 3, 3, 10, 10).subi(0.5);
        assertTrue(relative(device.backward(grad), host.backward(grad)) < 1e-12);
    }

    /**
     * Central differences in double, batch 3. {@link PortableMacoParamTest} runs MacoParamTest's gradient checks
     * (grey and RGB, odd and even sizes) on this path too. (Seed 23 instead of 21 samples a coordinate whose
     * gradient is ~1e-5 of the largest, where the differences' rounding alone gives 1e-3: on both paths.)
     */
    @Test
    void theDevicePathsBackwardIsTheGradient() {
        MacoParam device = param(3, 10, 10, true, DataType.DOUBLE, true);
        double[] errors = ParamChecks.gradientErrors(device, 21, 60);
        assertTrue(errors[0] < 1e-7, "directional error " + errors[0]);
        assertTrue(errors[1] < 1e-4, "coordinate error " + errors[1]);
    }

    @Test
    void thePublicConstructorTakesThePortablePathWhenItIsActive() {
        MacoParam p = new MacoParam(new long[] {1}, MacoParamTest.spectrum(1, 6, 6), 6, 6, false, DataType.FLOAT);
        assertEquals(PortableOps.active(), p.computesOnDevice());
    }
}
