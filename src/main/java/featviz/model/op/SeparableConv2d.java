package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

/**
 * DL4J's SeparableConvolution2D in NCHW: a depthwise convolution then a 1x1 convolution, in one libnd4j
 * {@code sconv2d} (and {@code sconv2d_bp}) as DL4J's layer runs it. DL4J stores the depthwise weights as
 * [multiplier, inC, kH, kW] and the pointwise ones as [outC, inC * multiplier, 1, 1]; libnd4j wants
 * [kH, kW, inC, multiplier] and [1, 1, inC * multiplier, outC], the same permutation of both.
 */
public final class SeparableConv2d implements Op {
    private final INDArray depthWeights;
    private final INDArray pointWeights;
    private final INDArray bias; // [outC] or null
    private final int[] args;
    private INDArray input;

    /** @param depthWeights DL4J's "W"; @param pointWeights DL4J's "pW" */
    public SeparableConv2d(INDArray depthWeights, INDArray pointWeights, INDArray bias, int[] stride, int[] padding,
                           int[] dilation, boolean same) {
        this.depthWeights = depthWeights.permute(2, 3, 1, 0).dup('c');
        this.pointWeights = pointWeights.permute(2, 3, 1, 0).dup('c');
        this.bias = bias == null ? null : bias.reshape(bias.length());
        int[] kernel = {(int) depthWeights.size(2), (int) depthWeights.size(3)};
        this.args = Ops.convolutionArguments(kernel, stride, padding, dilation, same);
    }

    @Override
    public INDArray forward(INDArray... in) {
        input = in[0];
        return Ops.run(Ops.withOptional(DynamicCustomOp.builder("sconv2d").addIntegerArguments(args),
                input, depthWeights, pointWeights, bias), input);
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        DynamicCustomOp.DynamicCustomOpsBuilder b = Ops.withOptional(
                DynamicCustomOp.builder("sconv2d_bp").addIntegerArguments(args),
                input, gradOut, depthWeights, pointWeights, bias);
        return new INDArray[] {Ops.runBackward(b, input, Ops.shapes(depthWeights, pointWeights, bias))};
    }

    @Override
    public void clear() {
        input = null;
    }

    @Override
    public String describe() {
        return "separable " + args[0] + "x" + args[1] + "/" + args[2] + " " + pointWeights.size(3);
    }
}
