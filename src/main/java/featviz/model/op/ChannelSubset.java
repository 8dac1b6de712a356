package featviz.model.op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A convolution (and the ReLU after it) that computes only some of its output channels, for the last
 * layer of a truncated network when the objective reads only those: rendering channel 4 of VGG19's
 * block5_conv4 needs 1 of its 512 filters, forward and backward. The other channels read as zero, so the
 * output keeps the layer's shape and channel numbers. Only valid while nothing reads the other channels.
 */
public final class ChannelSubset implements Op {
    private final Op kept;
    private final long[] channels;
    private final long allChannels;
    private INDArray keptOutput;

    private ChannelSubset(Op kept, long[] channels, long allChannels) {
        this.kept = kept;
        this.channels = channels;
        this.allChannels = allChannels;
    }

    /**
     * {@code op} restricted to {@code channels} (distinct, sorted), or null when it is not a convolution
     * optionally followed by ReLUs (an activation such as softmax mixes channels, so it cannot be cut).
     */
    public static ChannelSubset of(Op op, long[] channels) {
        List<Op> ops = op instanceof Chain chain ? chain.ops() : List.of(op);
        if (ops.isEmpty() || !(ops.get(0) instanceof Conv2d conv)
                || !ops.subList(1, ops.size()).stream().allMatch(o -> o instanceof Relu)) {
            return null;
        }
        long[] distinct = Arrays.stream(channels).distinct().sorted().toArray();
        if (distinct.length == 0 || distinct[0] < 0 || distinct[distinct.length - 1] >= conv.outChannels()) {
            return null;
        }
        Conv2d keptConv = conv.withOutputChannels(distinct);
        Op kept = ops.size() == 1 ? keptConv : new Chain(concat(keptConv, ops.subList(1, ops.size())));
        return new ChannelSubset(kept, distinct, conv.outChannels());
    }

    private static List<Op> concat(Op first, List<Op> rest) {
        List<Op> all = new ArrayList<>();
        all.add(first);
        rest.forEach(o -> all.add(o instanceof Relu r ? new Relu(r.inPlace()) : o));
        return all;
    }

    @Override
    public INDArray forward(INDArray... in) {
        keptOutput = kept.forward(in);
        long[] shape = keptOutput.shape().clone();
        shape[1] = allChannels;
        INDArray out = Memory.zeros(keptOutput.dataType(), shape);
        for (int i = 0; i < channels.length; i++) {
            channel(out, channels[i]).assign(channel(keptOutput, i));
        }
        return out;
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        long[] shape = gradOut.shape().clone();
        shape[1] = channels.length;
        INDArray gradKept = Memory.allocate(gradOut.dataType(), shape);
        for (int i = 0; i < channels.length; i++) {
            channel(gradKept, i).assign(channel(gradOut, channels[i]));
        }
        INDArray[] gradIn = kept.backward(gradKept);
        if (!Memory.sharesBuffer(gradKept, gradIn)) {
            Memory.release(gradKept);
        }
        return gradIn;
    }

    private static INDArray channel(INDArray a, long c) {
        return a.get(NDArrayIndex.all(), NDArrayIndex.point(c), NDArrayIndex.all(), NDArrayIndex.all());
    }

    @Override
    public void clear() {
        kept.clear();
        Memory.release(keptOutput);
        keptOutput = null;
    }

    @Override
    public String describe() {
        return kept.describe() + " (channels " + Arrays.toString(channels) + " of " + allChannels + ")";
    }
}
