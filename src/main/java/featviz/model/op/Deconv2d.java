package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

/**
 * DL4J's Deconvolution2D (a transposed convolution) in NCHW through libnd4j's {@code deconv2d} and
 * {@code deconv2d_bp}. DL4J stores the weights as [inC, outC, kH, kW] and permutes them to libnd4j's
 * [kH, kW, outC, inC] before each call; this op permutes once.
 */
public final class Deconv2d implements Op {
    private final INDArray weights;
    private final INDArray bias; // [outC] or null
    private final int[] args;
    private INDArray input;

    public Deconv2d(INDArray weights, INDArray bias, int[] stride, int[] padding, int[] dilation, boolean same) {
        this.weights = weights.permute(2, 3, 1, 0).dup('c');
        this.bias = bias == null ? null : bias.reshape(bias.length());
        int[] kernel = {(int) weights.size(2), (int) weights.size(3)};
        this.args = Ops.convolutionArguments(kernel, stride, padding, dilation, same);
    }

    @Override
    public INDArray forward(INDArray... in) {
        input = in[0];
        return Ops.run(Ops.withOptional(DynamicCustomOp.builder("deconv2d").addIntegerArguments(args),
                input, weights, bias), input);
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        DynamicCustomOp.DynamicCustomOpsBuilder b = Ops.withOptional(
                DynamicCustomOp.builder("deconv2d_bp").addIntegerArguments(args), input, weights, bias, gradOut);
        return new INDArray[] {Ops.runBackward(b, input, Ops.shapes(weights, bias))};
    }

    @Override
    public void clear() {
        input = null;
    }

    @Override
    public String describe() {
        return "deconv " + args[0] + "x" + args[1] + "/" + args[2] + " " + weights.size(2);
    }
}
