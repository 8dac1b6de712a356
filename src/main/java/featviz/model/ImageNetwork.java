package featviz.model;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A truncated network that takes plain pictures: RGB, values in [0, 1], NCHW. The model's preprocessing
 * sits in front of the network, inside the differentiable path.
 */
public final class ImageNetwork {
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

    public Network network() {
        return network;
    }

    /** Activations of the vertices this network was truncated for, keyed by vertex name. */
    public Map<String, INDArray> forward(INDArray image) {
        INDArray input = preprocessing.forward(image.castTo(network.dataType()), inputChannels);
        return new LinkedHashMap<>(network.forward(input, taps));
    }

    /** d objective / d image, from d objective / d activation at some of the tapped vertices. */
    public INDArray backward(Map<String, INDArray> gradients) {
        return preprocessing.backward(network.backward(gradients), inputChannels);
    }

    /** Lets go of the arrays the last pass kept. */
    public void clear() {
        network.clear();
    }
}
