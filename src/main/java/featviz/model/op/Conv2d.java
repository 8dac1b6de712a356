package featviz.model.op;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.SpecifiedIndex;

/**
 * 2-D convolution in NCHW with DL4J's weight layout [outC, inC, kH, kW].
 *
 * <p>The backward pass computes only the input gradient. Without dilation that is a transposed
 * convolution ({@code deconv2d}), which oneDNN runs fast and which skips the weight gradient; with
 * dilation (or a same-mode geometry whose padding libnd4j makes negative) {@code conv2d_bp} does it and
 * its weight gradient is discarded.
 */
public final class Conv2d implements Op {
    // Null once oneDNN holds the only copies (an owning convolution frees the NCHW array): see weights().
    private INDArray weights;
    private final long[] weightShape;
    private boolean ownsWeights; // whether it may free the weights array
    private final INDArray bias; // [outC] or null
    private final int kH, kW, sH, sW, pH, pW, dH, dW;
    private final boolean same;
    private final DnnlConvolution onednn; // null where oneDNN cannot run it (not float, or not the CPU)
    private INDArray input;
    private boolean ranOnednn; // whether the last forward pass went through onednn
    private Precision precision = Precision.FP32;

    /** A convolution on the caller's arrays: they stay valid and the caller's. */
    public Conv2d(INDArray weights, INDArray bias, int[] stride, int[] padding, int[] dilation, boolean same) {
        this(weights, bias, stride, padding, dilation, same, false);
    }

    /**
     * A convolution that owns its parameter arrays: once oneDNN has converted the weights into its own
     * layouts, the NCHW array is freed (VGG19: 80 MB, ResNet-50: 94 MB less), and made again from the
     * converted copy if anything asks for it.
     */
    public static Conv2d owning(INDArray weights, INDArray bias, int[] stride, int[] padding, int[] dilation,
            boolean same) {
        return new Conv2d(weights, bias, stride, padding, dilation, same, true);
    }

    private Conv2d(INDArray weights, INDArray bias, int[] stride, int[] padding, int[] dilation, boolean same,
            boolean owns) {
        this.weights = weights;
        this.weightShape = weights.shape();
        this.ownsWeights = owns;
        this.bias = bias == null ? null : bias.reshape(bias.length());
        this.kH = (int) weights.size(2);
        this.kW = (int) weights.size(3);
        this.sH = stride[0];
        this.sW = stride[1];
        this.pH = padding[0];
        this.pW = padding[1];
        this.dH = dilation[0];
        this.dW = dilation[1];
        this.same = same;
        this.onednn = Dnnl.handles(weights.dataType())
                ? new DnnlConvolution(weights, this.bias, stride, padding, dilation, same) : null;
    }

    /**
     * The same geometry with new parameters (weights [outC, inC, kH, kW], bias [outC] or null), which the new
     * convolution owns: nothing else may hold them (a folded BatchNorm makes them for it alone).
     */
    public Conv2d withParameters(INDArray newWeights, INDArray newBias) {
        if (!Arrays.equals(newWeights.shape(), weightShape)) {
            throw new IllegalArgumentException("weights " + Arrays.toString(newWeights.shape())
                    + " for a convolution with " + Arrays.toString(weightShape));
        }
        return new Conv2d(newWeights, newBias, new int[] {sH, sW}, new int[] {pH, pW}, new int[] {dH, dW}, same,
                true).inPrecision(precision);
    }

    /** The same geometry computing only the given output channels, in that order. */
    public Conv2d withOutputChannels(long[] channels) {
        INDArrayIndex pick = new SpecifiedIndex(channels);
        // ND4J M2.1's SpecifiedIndex reads past the end of a view that starts at an offset (the last of 4
        // filters of a view at offset 4 threw a NullPointerException): pick from contiguous copies
        INDArray all = plainWeights();
        INDArray w = (all.isView() ? all.dup('c') : all)
                .get(pick, NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
        INDArray b = bias == null ? null : (bias.isView() ? bias.dup('c') : bias).get(new SpecifiedIndex(channels)).dup('c');
        return new Conv2d(w, b, new int[] {sH, sW}, new int[] {pH, pW}, new int[] {dH, dW}, same, true)
                .inPrecision(precision);
    }

    /**
     * Computes in this precision from the next forward pass on (see {@link DnnlConvolution#precision}); returns
     * whether it applies: {@link Precision#BF16} only where oneDNN runs this convolution (float, on the CPU).
     * Convolutions made from this one ({@link #withOutputChannels}, {@link #withParameters}) inherit it. An input
     * shape oneDNN declines (negative same-mode padding) runs libnd4j's float op, as it does in fp32.
     */
    public boolean precision(Precision p) {
        if (p != Precision.FP32 && onednn == null) {
            return false;
        }
        precision = p;
        if (onednn != null) {
            onednn.precision(p);
        }
        return true;
    }

    public Precision precision() {
        return precision;
    }

    private Conv2d inPrecision(Precision p) {
        precision(p);
        return this;
    }

    /** Weights [outC, inC, kH, kW]; valid as long as this convolution (it no longer frees them). */
    public INDArray weights() {
        ownsWeights = false; // whoever asked may keep reading them
        return plainWeights();
    }

    /** Bias [outC], or null. */
    public INDArray bias() {
        return bias;
    }

    public long outChannels() {
        return weightShape[0];
    }

    /** oneDNN's form of this convolution; null where oneDNN cannot run it. */
    DnnlConvolution onednn() {
        return onednn;
    }

    /** After oneDNN ran this convolution: frees the NCHW weights when this convolution owns them. */
    void ranOnednn() {
        if (ownsWeights && weights != null && weights.closeable()) {
            onednn.forgetPlainWeights();
            weights.close();
            weights = null;
        }
    }

    @Override
    public INDArray forward(INDArray... in) {
        input = in[0];
        INDArray direct = onednn == null ? null : onednn.forward(input);
        ranOnednn = direct != null;
        if (ranOnednn) {
            ranOnednn();
            return direct;
        }
        DynamicCustomOp.DynamicCustomOpsBuilder b = DynamicCustomOp.builder("conv2d")
                .addIntegerArguments(kH, kW, sH, sW, pH, pW, dH, dW, same ? 1 : 0, 0 /* NCHW */, 1 /* OIYX */);
        if (bias != null) {
            b.addInputs(input, plainWeights(), bias);
        } else {
            b.addInputs(input, plainWeights());
        }
        return Ops.run(b, input);
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        if (ranOnednn) {
            return new INDArray[] {onednn.backward(gradOut)};
        }
        INDArray gradIn = transposedConvolution(gradOut);
        return new INDArray[] {gradIn != null ? gradIn : convolutionBackprop(gradOut)};
    }

    /**
     * The input gradient as a transposed convolution, or null where that does not fit (dilation, negative
     * same-mode padding).
     *
     * <p>The forward pass read rows {@code [0, rH)} of the padded input, {@code rH = (outH - 1) * sH + kH},
     * with {@code top} rows of padding above row 0 of the input; {@code deconv2d} with stride sH and no
     * padding spreads the output gradient back over exactly those rows. Input row i is padded row
     * {@code i + top}; input rows past {@code rH - top} were never read (the stride did not reach them)
     * and get zero. When the padding is the same on both sides and the rows read cover the padded input
     * exactly, {@code deconv2d} with that padding crops in place and writes straight into the result.
     */
    INDArray transposedConvolution(INDArray gradOut) {
        if (dH != 1 || dW != 1) {
            return null;
        }
        long h = input.size(2), w = input.size(3);
        long rH = (gradOut.size(2) - 1) * sH + kH;
        long rW = (gradOut.size(3) - 1) * sW + kW;
        // Same mode: libnd4j puts half the total padding on top; the rest, and nothing more, is the bottom's.
        long top = same ? Ops.samePaddingBefore(h, gradOut.size(2), kH, sH, 1) : pH;
        long left = same ? Ops.samePaddingBefore(w, gradOut.size(3), kW, sW, 1) : pW;
        if (top < 0 || left < 0) {
            return null;
        }
        if (kH == 1 && kW == 1 && top == 0 && left == 0 && (sH > 1 || sW > 1)) {
            return stridedPointwiseGradient(gradOut, h, w);
        }
        if (rH - 2 * top == h && rW - 2 * left == w) {
            return Ops.runInto(deconv(gradOut, sH, sW, (int) top, (int) left),
                    Memory.allocate(input.dataType(), input.shape()));
        }
        long rowsRead = Math.min(h, rH - top);
        long colsRead = Math.min(w, rW - left);
        if (rowsRead <= 0 || colsRead <= 0) {
            return null;
        }
        INDArray gradIn = Memory.allocate(input.dataType(), input.shape());
        INDArray padded = Ops.runInto(deconv(gradOut, sH, sW, 0, 0),
                Memory.allocate(input.dataType(), input.size(0), input.size(1), rH, rW));
        gradIn.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, rowsRead), NDArrayIndex.interval(0, colsRead))
                .assign(padded.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(top, top + rowsRead),
                        NDArrayIndex.interval(left, left + colsRead)));
        Memory.release(padded);
        if (rowsRead < h) {
            gradIn.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(rowsRead, h), NDArrayIndex.all()).assign(0);
        }
        if (colsRead < w) {
            gradIn.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, rowsRead), NDArrayIndex.interval(colsRead, w))
                    .assign(0);
        }
        return gradIn;
    }

    /**
     * A strided 1x1 convolution (ResNet's downsampling) read only the pixels on the stride's grid: their
     * gradient is a stride-1 1x1 transposed convolution, the rest is zero. oneDNN's strided transposed
     * convolution onto the odd-sized grid ((out - 1) * s + 1) misses its fast 1x1 kernel: measured on
     * ResNet-50 at batch 8, 8x512x7x7 to 13x13 took 22.7 ms where this stride-1 form of it takes about 6.
     */
    private INDArray stridedPointwiseGradient(INDArray gradOut, long h, long w) {
        long oh = gradOut.size(2), ow = gradOut.size(3);
        INDArray onGrid = Ops.runInto(deconv(gradOut, 1, 1, 0, 0),
                Memory.allocate(input.dataType(), input.size(0), input.size(1), oh, ow));
        INDArray gradIn = Memory.zeros(input.dataType(), input.shape());
        gradIn.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, sH, (oh - 1) * sH + 1),
                NDArrayIndex.interval(0, sW, (ow - 1) * sW + 1)).assign(onGrid);
        Memory.release(onGrid);
        return gradIn;
    }

    /** deconv2d with weights [iC = outC of the conv, oC = inC of the conv, kH, kW] (format 1): the adjoint. */
    private DynamicCustomOp.DynamicCustomOpsBuilder deconv(INDArray gradOut, int strideH, int strideW, int top,
            int left) {
        return DynamicCustomOp.builder("deconv2d").addInputs(gradOut, plainWeights())
                .addIntegerArguments(kH, kW, strideH, strideW, top, left, 1, 1, 0 /* explicit padding */,
                        0 /* NCHW */, 1 /* [iC, oC, kH, kW] */);
    }

    /** libnd4j's conv2d_bp, which computes the weight (and bias) gradients too; those are thrown away. */
    INDArray convolutionBackprop(INDArray gradOut) {
        INDArray gradIn = Memory.allocate(input.dataType(), input.shape());
        INDArray w = plainWeights();
        INDArray gradW = Nd4j.createUninitialized(w.dataType(), weightShape);
        DynamicCustomOp.DynamicCustomOpsBuilder b = DynamicCustomOp.builder("conv2d_bp")
                .addIntegerArguments(kH, kW, sH, sW, pH, pW, dH, dW, same ? 1 : 0, 0, 1);
        if (bias != null) {
            INDArray gradB = Nd4j.createUninitialized(bias.dataType(), bias.shape());
            b.addInputs(input, w, bias, gradOut).addOutputs(gradIn, gradW, gradB);
            Nd4j.exec(b.build());
            gradB.close();
        } else {
            b.addInputs(input, w, gradOut).addOutputs(gradIn, gradW);
            Nd4j.exec(b.build());
        }
        gradW.close();
        return gradIn;
    }

    /**
     * The NCHW weights for libnd4j's ops (a geometry oneDNN declined), made again if they were freed; kept from
     * then on, since the same geometry comes back every step.
     */
    private INDArray plainWeights() {
        if (weights == null) {
            weights = onednn.plainWeights();
            ownsWeights = false;
        }
        return weights;
    }

    @Override
    public void clear() {
        input = null;
    }

    @Override
    public String describe() {
        return "conv " + kH + "x" + kW + "/" + sH + (same ? " same" : "");
    }
}
