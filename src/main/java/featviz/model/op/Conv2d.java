package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * 2-D convolution in NCHW with DL4J's weight layout [outC, inC, kH, kW].
 *
 * <p>The backward pass computes only the input gradient. Where the geometry allows it (stride 1, no
 * dilation, explicit symmetric padding) that is a transposed convolution ({@code deconv2d}), which
 * oneDNN runs fast and which skips the weight gradient; otherwise {@code conv2d_bp} does it and its
 * weight gradient is discarded.
 */
public final class Conv2d implements Op {
    private final INDArray weights;
    private final INDArray bias; // [outC] or null
    private final int kH, kW, sH, sW, pH, pW, dH, dW;
    private final boolean same;
    private INDArray input;

    public Conv2d(INDArray weights, INDArray bias, int[] stride, int[] padding, int[] dilation, boolean same) {
        this.weights = weights;
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
    }

    public long outChannels() {
        return weights.size(0);
    }

    @Override
    public INDArray forward(INDArray... in) {
        input = in[0];
        DynamicCustomOp.DynamicCustomOpsBuilder b = DynamicCustomOp.builder("conv2d")
                .addIntegerArguments(kH, kW, sH, sW, pH, pW, dH, dW, same ? 1 : 0, 0 /* NCHW */, 1 /* OIYX */);
        if (bias != null) {
            b.addInputs(input, weights, bias);
        } else {
            b.addInputs(input, weights);
        }
        return Ops.run(b, input);
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        if (transposedConvolutionFits()) {
            // deconv2d with weights [iC=outC of conv, oC=inC of conv, kH, kW] (format 1) is exactly the
            // adjoint of this stride-1 convolution.
            DynamicCustomOp.DynamicCustomOpsBuilder b = DynamicCustomOp.builder("deconv2d")
                    .addInputs(gradOut, weights)
                    .addIntegerArguments(kH, kW, 1, 1, same ? (kH - 1) / 2 : pH, same ? (kW - 1) / 2 : pW, 1, 1, 0,
                            0 /* NCHW */, 1 /* [iC, oC, kH, kW] */);
            return new INDArray[] {Ops.runInto(b, Nd4j.createUninitialized(input.dataType(), input.shape()))};
        }
        INDArray gradIn = Nd4j.createUninitialized(input.dataType(), input.shape());
        INDArray gradW = Nd4j.createUninitialized(weights.dataType(), weights.shape());
        DynamicCustomOp.DynamicCustomOpsBuilder b = DynamicCustomOp.builder("conv2d_bp")
                .addIntegerArguments(kH, kW, sH, sW, pH, pW, dH, dW, same ? 1 : 0, 0, 1);
        if (bias != null) {
            INDArray gradB = Nd4j.createUninitialized(bias.dataType(), bias.shape());
            b.addInputs(input, weights, bias, gradOut).addOutputs(gradIn, gradW, gradB);
            Nd4j.exec(b.build());
            gradB.close();
        } else {
            b.addInputs(input, weights, gradOut).addOutputs(gradIn, gradW);
            Nd4j.exec(b.build());
        }
        gradW.close();
        return new INDArray[] {gradIn};
    }

    /** Stride 1, no dilation, and padding that is the same on both sides (explicit, or same-mode with odd kernels). */
    private boolean transposedConvolutionFits() {
        if (sH != 1 || sW != 1 || dH != 1 || dW != 1) {
            return false;
        }
        return !same || (kH % 2 == 1 && kW % 2 == 1);
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
