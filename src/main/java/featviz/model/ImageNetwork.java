package featviz.model;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A truncated network that takes plain pictures: values in [0, 1], NCHW, as many channels as the network
 * takes (RGB for 3, grey for 1). The model's preprocessing sits in front of the network, inside the
 * differentiable path.
 */
public final class ImageNetwork {
    /** The key under which {@link #forward} also returns the image, and {@link #backward} takes its gradient. */
    public static final String IMAGE = "(image)";

    private final Network network;
    private final Preprocessing preprocessing;
    private final long inputChannels;
    private final Collection<String> taps;

    ImageNetwork(Network network, Preprocessing preprocessing, long inputChannels, Collection<String> taps) {
        this.network = network;
        this.preprocessing = preprocessing;
        this.inputChannels = inputChannels;
        this.taps = taps;
    }

    /** See {@link Network#restrictChannels}. */
    public boolean restrictChannels(String node, long[] channels) {
        return network.restrictChannels(node, channels);
    }

    public Network network() {
        return network;
    }

    /**
     * Activations of the vertices this network was truncated for, keyed by vertex name, plus the image
     * itself under {@link #IMAGE} (for image penalties such as total variation).
     */
    public Map<String, INDArray> forward(INDArray image) {
        INDArray input = preprocessing.forward(image.castTo(network.dataType()), inputChannels);
        Map<String, INDArray> acts = new LinkedHashMap<>(network.forward(input, taps));
        acts.put(IMAGE, image);
        return acts;
    }

    /** d objective / d image, from d objective / d activation at some of the tapped vertices (and at {@link #IMAGE}). */
    public INDArray backward(Map<String, INDArray> gradients) {
        Map<String, INDArray> layerGrads = new LinkedHashMap<>(gradients);
        INDArray direct = layerGrads.remove(IMAGE);
        INDArray grad = layerGrads.isEmpty() ? null
                : preprocessing.backward(network.backward(layerGrads), inputChannels);
        if (direct == null) {
            return grad;
        }
        return grad == null ? direct.castTo(network.dataType()) : grad.addi(direct.castTo(grad.dataType()));
    }

    /**
     * Whether the network takes one input size only: it contains a dense layer, whose weights fix the size
     * of the flattened activations before it (conservative: after a global pooling any size would do).
     */
    public boolean fixedInputSize() {
        return network.nodes().stream().map(Network.Node::op).anyMatch(ImageNetwork::containsDense);
    }

    private static boolean containsDense(featviz.model.op.Op op) {
        if (op instanceof featviz.model.op.Chain chain) {
            return chain.ops().stream().anyMatch(ImageNetwork::containsDense);
        }
        return op instanceof featviz.model.op.Dense;
    }

    /** Lets go of the arrays the last pass kept. */
    public void clear() {
        network.clear();
    }
}
