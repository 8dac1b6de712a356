package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code y[n,c,...] = x[n,c,...] * scale[c] + shift[c]}: batch normalization in inference mode. Linear,
 * so its backward pass is a per-channel scale.
 *
 * <p>DL4J's own BatchNormalization backprop always uses the training-mode formula, which is wrong for a
 * frozen network; this op is why featviz computes BatchNorm gradients correctly.
 */
public final class ChannelAffine implements Op {
    private final INDArray scale;
    private final INDArray shift;
    private final String name;

    public ChannelAffine(INDArray scale, INDArray shift, String name) {
        this.scale = scale.reshape(scale.length());
        this.shift = shift.reshape(shift.length());
        this.name = name;
    }

    @Override
    public INDArray forward(INDArray... in) {
        INDArray x = in[0];
        INDArray out = Memory.allocate(x.dataType(), x.shape());
        Nd4j.getExecutioner().exec(new BroadcastMulOp(x, scale, out, 1));
        Nd4j.getExecutioner().exec(new BroadcastAddOp(out, shift, out, 1));
        return out;
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        INDArray grad = Memory.allocate(gradOut.dataType(), gradOut.shape());
        Nd4j.getExecutioner().exec(new BroadcastMulOp(gradOut, scale, grad, 1));
        return new INDArray[] {grad};
    }

    @Override
    public String describe() {
        return name;
    }
}
