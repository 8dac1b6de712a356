package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

/**
 * A convolution featviz runs through one of libnd4j's ops and its {@code _bp} twin, NCHW, with the integer
 * arguments DL4J's layer passes: DL4J's DepthwiseConvolution2D ({@code depthwise_conv2d}, weights in DL4J's
 * layout [kH, kW, inC, multiplier], libnd4j's default) and Deconvolution2D ({@code deconv2d}, a transposed
 * convolution: DL4J stores [inC, outC, kH, kW] and permutes to libnd4j's [kH, kW, outC, inC] before each call;
 * {@link #deconvolution} permutes once). Only the input gradient is kept.
 */
public final class LibNd4jConvolution implements Op {
    private final String op;
    private final String label;
    private final INDArray weights;
    private final INDArray bias; // [outC] or null
    private final int[] args;
    private INDArray input;

    private LibNd4jConvolution(String op, String label, INDArray weights, INDArray bias, int[] args) {
        this.op = op;
        this.label = label;
        this.weights = weights;
        this.bias = bias == null ? null : bias.reshape(bias.length());
        this.args = args;
    }

    public static LibNd4jConvolution depthwise(INDArray weights, INDArray bias, int[] kernel, int[] stride,
                                               int[] padding, int[] dilation, boolean same) {
        return new LibNd4jConvolution("depthwise_conv2d", "depthwise", weights, bias,
                Ops.convolutionArguments(kernel, stride, padding, dilation, same));
    }

    public static LibNd4jConvolution deconvolution(INDArray weights, INDArray bias, int[] stride, int[] padding,
                                                   int[] dilation, boolean same) {
        int[] kernel = {(int) weights.size(2), (int) weights.size(3)};
        return new LibNd4jConvolution("deconv2d", "deconv", weights.permute(2, 3, 1, 0).dup('c'), bias,
                Ops.convolutionArguments(kernel, stride, padding, dilation, same));
    }

    @Override
    public INDArray forward(INDArray... in) {
        input = in[0];
        return Ops.run(Ops.withOptional(DynamicCustomOp.builder(op).addIntegerArguments(args), input, weights, bias),
                input);
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        DynamicCustomOp.DynamicCustomOpsBuilder b = Ops.withOptional(
                DynamicCustomOp.builder(op + "_bp").addIntegerArguments(args), input, weights, bias, gradOut);
        return new INDArray[] {Ops.runBackward(b, input, Ops.shapes(weights, bias))};
    }

    @Override
    public void clear() {
        input = null;
    }

    @Override
    public String describe() {
        // depthwise: [kH, kW, inC, multiplier] -> output channels inC * multiplier; deconv: [kH, kW, outC, inC]
        long channels = op.equals("deconv2d") ? weights.size(2) : weights.size(2) * weights.size(3);
        return label + " " + args[0] + "x" + args[1] + "/" + args[2] + " " + channels;
    }
}
