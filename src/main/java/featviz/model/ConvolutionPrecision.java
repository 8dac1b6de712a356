package featviz.model;

import featviz.UsageException;
import featviz.model.op.Chain;
import featviz.model.op.Conv2d;
import featviz.model.op.Op;
import featviz.model.op.Precision;
import java.util.List;

/**
 * Puts a network's convolutions into a {@link Precision}. Only the convolutions change: they are where a VGG's or a
 * ResNet's step spends its time, and the only ops oneDNN has bf16 kernels for here; pooling, activations, dense
 * layers and everything outside the network stay in float.
 */
public final class ConvolutionPrecision {
    private ConvolutionPrecision() {
    }

    /**
     * Sets every convolution of {@code network} to {@code precision}, before its first forward pass (convolutions
     * made from them later, such as a channel-restricted last layer, inherit it). Throws a one-line
     * {@link UsageException} when this machine cannot run it, or when the network has no convolution it applies
     * to; returns how many convolutions it set.
     */
    public static int apply(ImageNetwork network, Precision precision) {
        return apply(network.network(), precision);
    }

    /** The same for a network without its preprocessing. */
    public static int apply(Network network, Precision precision) {
        String why = precision.unavailableReason();
        if (why != null) {
            throw new UsageException(refusal(precision, why));
        }
        int set = 0;
        for (Network.Node node : network.nodes()) {
            set += apply(node.op(), precision);
        }
        if (set == 0 && precision != Precision.FP32) {
            throw new UsageException("--precision " + precision.label() + " applies to convolutions, and this network "
                    + "has none up to the layers asked for; use --precision fp32");
        }
        return set;
    }

    /** The one line that refuses a precision this machine cannot run, {@code why} being its reason. */
    public static String refusal(Precision precision, String why) {
        return "--precision " + precision.label() + " is not available: " + why + "; use --precision fp32";
    }

    private static int apply(Op op, Precision precision) {
        if (op instanceof Conv2d conv) {
            return conv.precision(precision) ? 1 : 0;
        }
        if (op instanceof Chain chain) {
            List<Op> ops = chain.ops();
            return ops.stream().mapToInt(o -> apply(o, precision)).sum();
        }
        return 0;
    }
}
