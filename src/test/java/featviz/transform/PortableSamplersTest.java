package featviz.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import featviz.GradientCheck;
import featviz.PortableMode;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The portable path's samplers (ND4J gathers and matrix products) compute the very maps of the host sampler,
 * {@link BilinearSampler}, forward and adjoint: the host sampler is the known answer, itself checked against
 * hand-computed values in {@link TransformBehaviourTest}.
 */
@ExtendWith(PortableMode.class)
class PortableSamplersTest {

    static Stream<Arguments> rotations() {
        return Stream.of(-10.0, -3.0, 0.5, 7.0, 33.3, 45.0, 90.0, 180.0, 271.0).flatMap(angle ->
                Stream.of(new long[] {2, 3, 27, 30}, new long[] {1, 1, 8, 8}, new long[] {1, 4, 17, 9})
                        .map(shape -> Arguments.of(angle, shape)));
    }

    @ParameterizedTest(name = "{0} degrees")
    @MethodSource("rotations")
    void rotationMatchesTheHostSampler(double angle, long[] shape) {
        Sampler portable = Sampler.rotation(shape, angle);
        assertInstanceOf(RotationGathers.class, portable);
        matches(portable, BilinearSampler.rotation(shape, angle), shape);
    }

    static Stream<Arguments> resizes() {
        return Stream.of(
                Arguments.of(new long[] {2, 3, 27, 30}, 24, 27),  // scale 0.9
                Arguments.of(new long[] {2, 3, 27, 30}, 29, 33),  // scale 1.1
                Arguments.of(new long[] {1, 1, 5, 7}, 40, 56),    // upsampling by 8
                Arguments.of(new long[] {1, 2, 40, 36}, 5, 4),    // downsampling by 8 and 9
                Arguments.of(new long[] {1, 3, 1, 6}, 3, 6),      // a single row
                Arguments.of(new long[] {3, 1, 12, 12}, 12, 12)); // same size: the identity
    }

    @ParameterizedTest(name = "to {1}x{2}")
    @MethodSource("resizes")
    void resizeMatchesTheHostSampler(long[] shape, int height, int width) {
        Sampler portable = Sampler.resize(shape, height, width);
        assertInstanceOf(ResizeProducts.class, portable);
        matches(portable, BilinearSampler.resize(shape, height, width), shape);
    }

    private static void matches(Sampler portable, Sampler host, long[] shape) {
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, 11, shape).subi(0.5);
        INDArray expected = host.gather(x);
        INDArray y = portable.gather(x);
        assertArrayEquals(expected.shape(), y.shape());
        assertEquals(0, expected.sub(y).amaxNumber().doubleValue(), 1e-14, "forward");
        INDArray g = GradientCheck.uniform(DataType.DOUBLE, 12, y.shape()).subi(0.5);
        INDArray expectedGrad = host.scatter(g);
        INDArray grad = portable.scatter(g);
        assertArrayEquals(expectedGrad.shape(), grad.shape());
        assertEquals(0, expectedGrad.sub(grad).amaxNumber().doubleValue(), 1e-14, "adjoint");

        // float images stay float, within float rounding of the double result
        INDArray yf = portable.gather(x.castTo(DataType.FLOAT));
        assertEquals(DataType.FLOAT, yf.dataType());
        assertEquals(0, expected.sub(yf.castTo(DataType.DOUBLE)).amaxNumber().doubleValue(), 1e-6, "float forward");
        INDArray gf = portable.scatter(g.castTo(DataType.FLOAT));
        assertEquals(DataType.FLOAT, gf.dataType());
        assertEquals(0, expectedGrad.sub(gf.castTo(DataType.DOUBLE)).amaxNumber().doubleValue(), 1e-5, "float adjoint");
    }

    @Test
    void theCpuSamplerIsTheHostOneOutsidePortableMode() {
        System.clearProperty(featviz.model.op.PortableOps.PROPERTY);
        try {
            assertInstanceOf(BilinearSampler.class, Sampler.resize(new long[] {1, 1, 4, 4}, 3, 3));
            assertInstanceOf(BilinearSampler.class, Sampler.rotation(new long[] {1, 1, 4, 4}, 5));
        } finally {
            System.setProperty(featviz.model.op.PortableOps.PROPERTY, "portable");
        }
    }
}
