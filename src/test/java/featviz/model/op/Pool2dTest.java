package featviz.model.op;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/** featviz's CPU max pooling against libnd4j's maxpool2d and maxpool2d_bp, which DL4J's layers run. */
class Pool2dTest {

    static Stream<Arguments> geometries() {
        return Stream.of(
                // kernel, stride, padding, dilation, same mode, input size
                Arguments.of(2, 2, 0, 1, false, 8),   // VGG
                Arguments.of(3, 2, 0, 1, false, 11),  // ResNet50's stem, odd size
                Arguments.of(3, 2, 0, 1, false, 12),
                Arguments.of(3, 1, 1, 1, false, 7),   // overlapping windows with padding
                Arguments.of(3, 2, 1, 1, false, 9),
                Arguments.of(2, 3, 0, 1, false, 10),  // gaps between windows
                Arguments.of(3, 2, 0, 2, false, 13),  // dilated
                Arguments.of(3, 2, 0, 1, true, 9),    // same mode
                Arguments.of(2, 2, 0, 1, true, 7),
                Arguments.of(4, 3, 0, 1, true, 10));
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void matchesLibnd4jForwardAndBackward(int k, int s, int p, int d, boolean same, int size) {
        // Float goes through oneDNN's jit pooling (on NCHW with 16 channels, on channel blocks with 3) unless
        // the geometry is dilated; double through MaxPoolKernel.
        for (long channels : new long[] {3, 16}) {
            for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
                matchesLibnd4j(k, s, p, d, same, GradientCheck.uniform(dt, 7, 2, channels, size, size + 1).subi(0.5));
            }
        }
    }

    private static void matchesLibnd4j(int k, int s, int p, int d, boolean same, INDArray x) {
        DataType dt = x.dataType();
        Pool2d pool = new Pool2d(Pool2d.Kind.MAX, new int[] {k, k}, new int[] {s, s}, new int[] {p, p},
                new int[] {d, d}, same, false);
        int[] args = {k, k, s, s, p, p, d, d, same ? 1 : 0, 0, 0};
        INDArray expected = libnd4j("maxpool2d", args, x);
        INDArray y = pool.forward(x);
        assertArrayEquals(expected.shape(), y.shape());
        assertEquals(0, expected.sub(y).amaxNumber().doubleValue(), 0, "forward " + dt);

        INDArray g = GradientCheck.uniform(dt, 8, y.shape()).subi(0.5);
        INDArray expectedGrad = libnd4j("maxpool2d_bp", args, x, g);
        INDArray grad = pool.backward(g)[0];
        assertEquals(0, expectedGrad.sub(grad).amaxNumber().doubleValue(), 1e-6, "backward " + dt);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, 3, 1, 2, 9, 9);
        Pool2d pool = new Pool2d(Pool2d.Kind.MAX, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1},
                new int[] {1, 1}, false, false);
        INDArray w = GradientCheck.uniform(DataType.DOUBLE, 4, pool.forward(x).shape());
        INDArray grad = pool.backward(w.dup())[0];
        double err = GradientCheck.maxRelativeError(in -> new Pool2d(Pool2d.Kind.MAX, new int[] {3, 3},
                new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, false, false).forward(in).mul(w).sumNumber()
                .doubleValue(), x, grad, Integer.MAX_VALUE, 1);
        assertTrue(err < 1e-6, "max relative error " + err);
    }

    @Test
    void eachMaximumTakesItsWholeGradientOnce() {
        // Overlapping 3x3/1 windows over one peak: every window containing it sends its gradient there.
        INDArray x = Nd4j.zeros(DataType.DOUBLE, 1, 1, 5, 5).subi(1);
        x.putScalar(new long[] {0, 0, 2, 2}, 5);
        Pool2d pool = new Pool2d(Pool2d.Kind.MAX, new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0},
                new int[] {1, 1}, false, false);
        INDArray y = pool.forward(x);
        assertEquals(9 * 5, y.sumNumber().doubleValue(), 0);
        INDArray grad = pool.backward(Nd4j.ones(DataType.DOUBLE, y.shape()))[0];
        assertEquals(9, grad.getDouble(0, 0, 2, 2), 0);
        assertEquals(9, grad.sumNumber().doubleValue(), 0);
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void tiesRouteTheGradientAsLibnd4jDoes(int k, int s, int p, int d, boolean same, int size) {
        // Three levels only, so most windows hold several equal maxima: the unrolled 2x2 and 3x3 paths
        // and the general loop must all pick the first in row-major order, as libnd4j does.
        for (long channels : new long[] {3, 16}) { // oneDNN on NCHW or on channel blocks, or MaxPoolKernel
            routesTiesAsLibnd4j(k, s, p, d, same, GradientCheck.uniform(DataType.FLOAT, 11, 2, channels, size, size + 1));
        }
    }

    /**
     * MaxPoolKernel itself in float, on the same tied inputs: with oneDNN loaded, Pool2d sends it only dilated
     * geometries, but it runs everything when oneDNN is off or missing ({@code -Dfeatviz.onednn=false}).
     */
    @ParameterizedTest
    @MethodSource("geometries")
    void theJavaKernelRoutesTiesAsLibnd4jToo(int k, int s, int p, int d, boolean same, int size) {
        INDArray x = GradientCheck.uniform(DataType.FLOAT, 11, 2, 3, size, size + 1).muli(3);
        x.assign(org.nd4j.linalg.ops.transforms.Transforms.floor(x, true));
        int[] args = {k, k, s, s, p, p, d, d, same ? 1 : 0, 0, 0};
        INDArray expected = libnd4j("maxpool2d", args, x);
        long[] out = expected.shape();
        int top = same ? (int) Math.max(0, Ops.samePaddingBefore(size, out[2], k, s, d)) : p;
        int left = same ? (int) Math.max(0, Ops.samePaddingBefore(size + 1, out[3], k, s, d)) : p;
        MaxPoolKernel kernel = new MaxPoolKernel(k, k, s, s, d, d);
        INDArray y = Nd4j.create(DataType.FLOAT, out);
        int[] argmax = new int[(int) y.length()];
        kernel.forward(x, y, top, left, argmax);
        assertEquals(0, expected.sub(y).amaxNumber().doubleValue(), 0, "forward");
        INDArray g = GradientCheck.uniform(DataType.FLOAT, 12, out).addi(1);
        INDArray grad = Nd4j.create(DataType.FLOAT, x.shape());
        kernel.backward(g, grad, argmax);
        assertEquals(0, libnd4j("maxpool2d_bp", args, x, g).sub(grad).amaxNumber().doubleValue(), 1e-4, "backward");
    }

    private static void routesTiesAsLibnd4j(int k, int s, int p, int d, boolean same, INDArray x) {
        x.muli(3);
        x.assign(org.nd4j.linalg.ops.transforms.Transforms.floor(x, true));
        Pool2d pool = new Pool2d(Pool2d.Kind.MAX, new int[] {k, k}, new int[] {s, s}, new int[] {p, p},
                new int[] {d, d}, same, false);
        int[] args = {k, k, s, s, p, p, d, d, same ? 1 : 0, 0, 0};
        INDArray y = pool.forward(x);
        INDArray g = GradientCheck.uniform(DataType.FLOAT, 12, y.shape()).addi(1);
        INDArray expectedGrad = libnd4j("maxpool2d_bp", args, x, g);
        // A wrongly routed tie moves a whole gradient (at least 1); overlapping windows sum up to about 18 in
        // float, whose last bit (1.9e-6) depends on the order libnd4j adds in.
        assertEquals(0, expectedGrad.sub(pool.backward(g)[0]).amaxNumber().doubleValue(), 1e-4);
    }

    private static INDArray libnd4j(String name, int[] args, INDArray... inputs) {
        DynamicCustomOp op = DynamicCustomOp.builder(name).addInputs(inputs).addIntegerArguments(args).build();
        INDArray out = Nd4j.create(inputs[0].dataType(), op.calculateOutputShape().get(0).getShape());
        op.addOutputArgument(out);
        Nd4j.exec(op);
        return out;
    }
}
