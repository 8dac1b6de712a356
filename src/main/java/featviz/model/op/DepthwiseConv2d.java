package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

/**
 * DL4J's DepthwiseConvolution2D in NCHW: each input channel convolved with its own {@code depthMultiplier}
 * filters, weights in DL4J's layout [kH, kW, inC, multiplier] (libnd4j's default), through libnd4j's
 * {@code depthwise_conv2d} and {@code depthwise_conv2d_bp} with the arguments DL4J's layer passes.
 */
public final class DepthwiseConv2d implements Op {
    private final INDArray weights;
    private final INDArray bias; // [inC * multiplier] or null
    private final int[] args;
    private INDArray input;

    public DepthwiseConv2d(INDArray weights, INDArray bias, int[] kernel, int[] stride, int[] padding, int[] dilation,
                           boolean same) {
        this.weights = weights;
        this.bias = bias == null ? null : bias.reshape(bias.length());
        this.args = Ops.convolutionArguments(kernel, stride, padding, dilation, same);
    }

    @Override
    public INDArray forward(INDArray... in) {
        input = in[0];
        return Ops.run(Ops.withOptional(DynamicCustomOp.builder("depthwise_conv2d").addIntegerArguments(args),
                input, weights, bias), input);
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        DynamicCustomOp.DynamicCustomOpsBuilder b = Ops.withOptional(
                DynamicCustomOp.builder("depthwise_conv2d_bp").addIntegerArguments(args), input, weights, bias, gradOut);
        return new INDArray[] {Ops.runBackward(b, input, Ops.shapes(weights, bias))};
    }

    @Override
    public void clear() {
        input = null;
    }

    @Override
    public String describe() {
        return "depthwise " + args[0] + "x" + args[1] + "/" + args[2] + " " + weights.size(2) * weights.size(3);
    }
}
