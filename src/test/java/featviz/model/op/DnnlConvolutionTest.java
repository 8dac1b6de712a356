package featviz.model.op;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import featviz.GradientCheck;
import featviz.model.op.Conv2dBackwardTest.Geometry;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The convolution oneDNN runs directly gives libnd4j's answers, forward ({@code conv2d}) and backward
 * ({@code conv2d_bp}), in float on every geometry of {@link Conv2dBackwardTest}: strides 1-3, kernels 1-7,
 * padding, same mode, channel counts that do and do not fill oneDNN's blocks of 8, with and without bias.
 */
class DnnlConvolutionTest {

    @Test
    void convolutionAndInputGradientEqualLibnd4j() {
        assumeTrue(Dnnl.handles(DataType.FLOAT), "oneDNN is not loaded on this machine");
        int checked = 0;
        for (Geometry g : Conv2dBackwardTest.geometries()) {
            for (int[] channels : new int[][] {{3, 8}, {16, 5}}) {
                boolean withBias = checked % 2 == 0;
                INDArray w = GradientCheck.uniform(DataType.FLOAT, 3, channels[1], channels[0], g.k(), g.k()).subi(0.5);
                INDArray b = withBias ? GradientCheck.uniform(DataType.FLOAT, 4, channels[1]).subi(0.5) : null;
                INDArray x = GradientCheck.uniform(DataType.FLOAT, 5, 2, channels[0], g.h(), g.w()).subi(0.5);
                int[] stride = {g.s(), g.s()}, padding = {g.p(), g.p()}, dilation = {1, 1};
                DnnlConvolution direct = new DnnlConvolution(w, b, stride, padding, dilation, g.same());
                INDArray y = direct.forward(x);
                if (Conv2dBackwardTest.negativeSamePadding(g)) {
                    continue; // declined: libnd4j's own op runs those
                }
                assertNotNull(y, g + " declined");
                INDArray expected = libnd4jConvolution(x, w, b, g);
                assertArrayEquals(expected.shape(), y.shape(), g.toString());
                assertClose(expected, y, g + " forward");

                INDArray gradOut = GradientCheck.uniform(DataType.FLOAT, 7, y.shape()).subi(0.5);
                Conv2d reference = new Conv2d(w, b, stride, padding, dilation, g.same());
                reference.forward(x);
                assertClose(reference.convolutionBackprop(gradOut), direct.backward(gradOut), g + " backward");
                checked++;
            }
        }
        assertTrue(checked > 200, "only " + checked + " cases checked");
    }

    /**
     * Random scaling changes the input size every step: each size gets its own primitives, kept for the last
     * {@link Plans#KEPT} sizes. Cycling through more sizes than that, twice, evicts and rebuilds
     * them, and every answer is still libnd4j's.
     */
    @Test
    void inputSizesThatChangeEveryCallAreEachConvolvedRight() {
        assumeTrue(Dnnl.handles(DataType.FLOAT), "oneDNN is not loaded on this machine");
        INDArray w = GradientCheck.uniform(DataType.FLOAT, 3, 24, 16, 3, 3).subi(0.5);
        INDArray b = GradientCheck.uniform(DataType.FLOAT, 4, 24).subi(0.5);
        int[] one = {1, 1};
        DnnlConvolution direct = new DnnlConvolution(w, b, one, new int[] {0, 0}, one, true);
        Conv2d reference = new Conv2d(w, b, one, new int[] {0, 0}, one, true);
        Geometry g = new Geometry(3, 1, 0, true, 0, 0); // only the kernel, stride, padding and mode are read
        int sizes = Plans.KEPT + 4;
        for (int call = 0; call < 2 * sizes; call++) {
            int h = 6 + call % sizes;
            INDArray x = GradientCheck.uniform(DataType.FLOAT, call, 1, 16, h, h + 1).subi(0.5);
            INDArray y = direct.forward(x);
            assertClose(libnd4jConvolution(x, w, b, g), y, h + " px forward");
            INDArray gradOut = GradientCheck.uniform(DataType.FLOAT, call + 100, y.shape()).subi(0.5);
            reference.forward(x);
            assertClose(reference.convolutionBackprop(gradOut), direct.backward(gradOut), h + " px backward");
        }
    }

    /**
     * A convolution that owns its weights frees them once oneDNN holds converted copies, and still answers
     * as libnd4j does: on the first input size, on a new size (primitives made from the converted copy) and
     * on the first again. The weights it hands out (converted back) equal the ones it was given, and are not
     * freed under their reader afterwards.
     */
    @Test
    void anOwningConvolutionFreesItsWeightsAndAnswersAsBefore() {
        assumeTrue(Dnnl.handles(DataType.FLOAT), "oneDNN is not loaded on this machine");
        INDArray w = GradientCheck.uniform(DataType.FLOAT, 3, 24, 16, 1, 1).subi(0.5);
        INDArray b = GradientCheck.uniform(DataType.FLOAT, 4, 24).subi(0.5);
        int[] three = {3, 3}, none = {0, 0}, one = {1, 1};
        INDArray given = w.dup();
        Conv2d owning = Conv2d.owning(given, b, three, none, one, true);
        Conv2d reference = new Conv2d(w, b, three, none, one, true);
        Geometry g = new Geometry(1, 3, 0, true, 0, 0); // only the kernel, stride, padding and mode are read
        int call = 0;
        for (int size : new int[] {10, 13, 10}) {
            INDArray x = GradientCheck.uniform(DataType.FLOAT, call++, 2, 16, size, size).subi(0.5);
            INDArray y = owning.forward(x);
            assertClose(libnd4jConvolution(x, w, b, g), y, size + " px forward");
            assertTrue(given.wasClosed(), "the owned weights are freed once converted");
            INDArray gradOut = GradientCheck.uniform(DataType.FLOAT, call + 100, y.shape()).subi(0.5);
            reference.forward(x);
            assertClose(reference.convolutionBackprop(gradOut), owning.backward(gradOut)[0], size + " px backward");
        }
        INDArray handedOut = owning.weights();
        assertEquals(w, handedOut);
        owning.forward(GradientCheck.uniform(DataType.FLOAT, 9, 2, 16, 10, 10));
        assertFalse(handedOut.wasClosed(), "weights handed out stay valid");
    }

    /**
     * New parameters (a BatchNorm folded into the convolution) belong to the new convolution, even when the
     * old one's weights were read to make them, which made the old one give up its own: ResNet-50's 53 folded
     * convolutions kept 94 MB of NCHW weights beside oneDNN's copies when ownership was inherited.
     */
    @Test
    void aConvolutionWithNewParametersOwnsThem() {
        assumeTrue(Dnnl.handles(DataType.FLOAT), "oneDNN is not loaded on this machine");
        INDArray w = GradientCheck.uniform(DataType.FLOAT, 5, 8, 4, 3, 3).subi(0.5);
        Conv2d original = Conv2d.owning(w.dup(), null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, false);
        INDArray folded = original.weights().mul(2);
        INDArray b = GradientCheck.uniform(DataType.FLOAT, 6, 8);
        Conv2d fused = original.withParameters(folded, b);
        INDArray x = GradientCheck.uniform(DataType.FLOAT, 7, 1, 4, 9, 9);
        assertClose(libnd4jConvolution(x, w.mul(2), b, new Geometry(3, 1, 1, false, 0, 0)), fused.forward(x),
                "folded forward");
        assertTrue(folded.wasClosed(), "the new weights are freed once converted");
    }

    /** libnd4j's own float conv2d: the reference the direct oneDNN paths are checked against. */
    static INDArray libnd4jConvolution(INDArray x, INDArray w, INDArray b, Geometry g) {
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d")
                .addIntegerArguments(g.k(), g.k(), g.s(), g.s(), g.p(), g.p(), 1, 1, g.same() ? 1 : 0, 0, 1);
        op = b == null ? op.addInputs(x, w) : op.addInputs(x, w, b);
        DynamicCustomOp built = op.build();
        INDArray out = Nd4j.create(DataType.FLOAT, built.calculateOutputShape().get(0).getShape());
        built.addOutputArgument(out);
        Nd4j.exec(built);
        return out;
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double err = expected.sub(actual).amaxNumber().doubleValue() / expected.amaxNumber().doubleValue();
        assertTrue(err < 1e-5, what + ": differs from libnd4j by " + err);
    }
}
