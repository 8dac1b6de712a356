package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/** Max or average pooling in NCHW, with the same libnd4j arguments DL4J's SubsamplingLayer passes. */
public final class Pool2d implements Op {
    public enum Kind { MAX, AVG }

    private final Kind kind;
    private final int[] args;
    private INDArray input;

    /**
     * @param avgDivisorExcludesPadding DL4J's legacy {@code avgPoolIncludePadInDivisor} flag (true means
     *     divide by the number of values present)
     */
    public Pool2d(Kind kind, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean same,
                  boolean avgDivisorExcludesPadding) {
        this.kind = kind;
        int extra = kind == Kind.AVG && avgDivisorExcludesPadding ? 1 : 0;
        this.args = new int[] {kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1],
                dilation[0], dilation[1], same ? 1 : 0, extra, 0 /* NCHW */};
    }

    @Override
    public INDArray forward(INDArray... in) {
        input = in[0];
        String name = kind == Kind.MAX ? "maxpool2d" : "avgpool2d";
        return Ops.run(DynamicCustomOp.builder(name).addInputs(input).addIntegerArguments(args), input);
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        String name = kind == Kind.MAX ? "maxpool2d_bp" : "avgpool2d_bp";
        DynamicCustomOp.DynamicCustomOpsBuilder b = DynamicCustomOp.builder(name)
                .addInputs(input, gradOut).addIntegerArguments(args);
        return new INDArray[] {Ops.runInto(b, Nd4j.createUninitialized(input.dataType(), input.shape()))};
    }

    @Override
    public void clear() {
        input = null;
    }

    @Override
    public String describe() {
        return (kind == Kind.MAX ? "maxpool " : "avgpool ") + args[0] + "x" + args[1] + "/" + args[2];
    }
}
