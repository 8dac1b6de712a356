package featviz.model.op;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Max, average or p-norm pooling in NCHW, with the same libnd4j arguments DL4J's SubsamplingLayer passes. Max pooling
 * on the CPU runs oneDNN's primitives in float ({@link DnnlMaxPool}) and {@link MaxPoolKernel} otherwise; both
 * are several times faster than libnd4j's and remember the maxima for the backward pass. Other backends
 * (CUDA), the portable path ({@link PortableOps}) and average pooling run libnd4j's op.
 */
public final class Pool2d implements Op {
    public enum Kind { MAX, AVG, PNORM }

    private final Kind kind;
    private final int[] args;
    private final double eps; // p-norm only: what DL4J passes to pnormpool2d_bp
    private final MaxPoolKernel kernel;
    private INDArray input;
    private INDArray ownInput; // a contiguous copy of the input made for MaxPoolKernel, freed by clear()
    private int[] argmax; // where each output's maximum was, in its input plane (MaxPoolKernel only)
    private final DnnlMaxPool onednn; // float CPU max pooling, when oneDNN is loaded
    private boolean ranOnednn; // whether the last forward pass went through onednn

    /**
     * @param avgDivisorExcludesPadding DL4J's legacy {@code avgPoolIncludePadInDivisor} flag (true means
     *     divide by the number of values present)
     */
    public Pool2d(Kind kind, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean same,
                  boolean avgDivisorExcludesPadding) {
        this(kind, kernel, stride, padding, dilation, same, kind == Kind.AVG && avgDivisorExcludesPadding ? 1 : 0, 0);
    }

    /** DL4J's p-norm pooling: {@code (sum |x|^p)^(1/p)} over each window. */
    public static Pool2d pnorm(int p, double eps, int[] kernel, int[] stride, int[] padding, int[] dilation,
                               boolean same) {
        return new Pool2d(Kind.PNORM, kernel, stride, padding, dilation, same, p, eps);
    }

    /** @param extra libnd4j's tenth argument: the average's divisor mode, or the p of a p-norm */
    private Pool2d(Kind kind, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean same, int extra,
                   double eps) {
        this.kind = kind;
        this.eps = eps;
        this.args = new int[] {kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1],
                dilation[0], dilation[1], same ? 1 : 0, extra, 0 /* NCHW */};
        this.kernel = kind == Kind.MAX
                ? new MaxPoolKernel(kernel[0], kernel[1], stride[0], stride[1], dilation[0], dilation[1]) : null;
        this.onednn = kind == Kind.MAX && Dnnl.handles(DataType.FLOAT)
                ? new DnnlMaxPool(kernel[0], kernel[1], stride[0], stride[1], dilation[0], dilation[1]) : null;
    }

    @Override
    public INDArray forward(INDArray... in) {
        input = in[0];
        String name = kind == Kind.MAX ? "maxpool2d" : kind == Kind.AVG ? "avgpool2d" : "pnormpool2d";
        DynamicCustomOp.DynamicCustomOpsBuilder b = DynamicCustomOp.builder(name).addInputs(input).addIntegerArguments(args);
        if (kernel == null || PortableOps.active() || !MaxPoolKernel.supports(input)) {
            argmax = null;
            ranOnednn = false;
            return Ops.run(b, input);
        }
        if (!Memory.contiguous(input)) {
            input = input.dup('c');
            ownInput = input;
        }
        long[] outShape = b.build().calculateOutputShape().get(0).getShape();
        int padTop = padding(input.size(2), outShape[2], 0), padLeft = padding(input.size(3), outShape[3], 1);
        INDArray out = onednn != null && Dnnl.handles(input)
                ? onednn.forward(input, outShape, padTop, padLeft) : null;
        ranOnednn = out != null;
        if (ranOnednn) {
            return out;
        }
        out = Memory.allocate(input.dataType(), outShape);
        if (argmax == null || argmax.length != out.length()) {
            argmax = new int[(int) out.length()]; // reused while the size stays the same
        }
        kernel.forward(input, out, padTop, padLeft, argmax);
        return out;
    }

    /** oneDNN's max pool for this geometry; null when this is not a max pool or oneDNN is not there. */
    DnnlMaxPool onednn() {
        return onednn;
    }

    /**
     * The output shape of a max pool over input {@code in} [N, C, H, W] and the padding before each axis, as
     * libnd4j's {@code maxpool2d} computes them: {@code {out, {padTop, padLeft}}}.
     */
    long[][] geometry(long[] in) {
        long[] out = {in[0], in[1], 0, 0};
        for (int d = 0; d < 2; d++) {
            long extent = (long) (args[d] - 1) * args[6 + d] + 1;
            out[2 + d] = args[8] == 1 ? (in[2 + d] + args[2 + d] - 1) / args[2 + d]
                    : (in[2 + d] + 2L * args[4 + d] - extent) / args[2 + d] + 1;
        }
        return new long[][] {out, {padding(in[2], out[2], 0), padding(in[3], out[3], 1)}};
    }

    /** Top (axis 0) or left (axis 1) padding: explicit, or as libnd4j computes it in same mode. */
    private int padding(long in, long out, int axis) {
        if (args[8] == 0) {
            return args[4 + axis];
        }
        return (int) Math.max(0, Ops.samePaddingBefore(in, out, args[axis], args[2 + axis], args[6 + axis]));
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        if (ranOnednn || argmax != null) {
            INDArray dense = Memory.contiguous(gradOut) ? gradOut : gradOut.dup('c');
            INDArray gradIn;
            if (ranOnednn) {
                gradIn = onednn.backward(dense);
            } else {
                gradIn = Memory.allocate(input.dataType(), input.shape());
                kernel.backward(dense, gradIn, argmax);
            }
            if (dense != gradOut) {
                Memory.release(dense);
            }
            return new INDArray[] {gradIn};
        }
        String name = kind == Kind.MAX ? "maxpool2d_bp" : kind == Kind.AVG ? "avgpool2d_bp" : "pnormpool2d_bp";
        DynamicCustomOp.DynamicCustomOpsBuilder b = DynamicCustomOp.builder(name)
                .addInputs(input, gradOut).addIntegerArguments(args);
        if (kind == Kind.PNORM) {
            b.addFloatingPointArguments(eps);
        }
        return new INDArray[] {Ops.runInto(b, Memory.allocate(input.dataType(), input.shape()))};
    }

    @Override
    public void clear() {
        input = null;
        Memory.release(ownInput);
        ownInput = null;
    }

    @Override
    public String describe() {
        return kind.name().toLowerCase() + "pool " + args[0] + "x" + args[1] + "/" + args[2];
    }
}
