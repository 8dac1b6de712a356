package featviz.analysis;

import featviz.UsageException;
import featviz.model.ImageNetwork;
import featviz.model.VisionModel;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Forward passes of images up to one layer: the activations copied out of the network, which then lets go
 * of everything it computed (so a long run over a directory holds one batch at a time).
 */
public final class LayerActivations {
    private final VisionModel model;
    private final String vertex;
    private final String layerName;
    private final ImageNetwork network;
    private final long[] shape; // one image's output: (C, H, W) or (N)
    private final int size;

    /**
     * @param layer the user's name for the layer (Keras names for zoo models)
     * @param size images are size x size pixels
     */
    public LayerActivations(VisionModel model, String layer, int size) {
        this.model = model;
        this.vertex = model.resolve(layer);
        this.layerName = model.displayName(vertex);
        this.size = size;
        this.shape = model.outputShape(vertex, size, size);
        this.network = model.network(List.of(vertex), DataType.FLOAT, size, size);
    }

    public String layer() {
        return layerName;
    }

    /** Output values per image: channels of a convolutional layer, units of a dense one. */
    public long channels() {
        return shape[0];
    }

    /** Whether the layer has spatial positions (C x H x W), not just units. */
    public boolean spatial() {
        return shape.length == 3;
    }

    public int size() {
        return size;
    }

    public VisionModel model() {
        return model;
    }

    /**
     * Per-channel spatial means of a batch [N, 3, size, size] (RGB in [0, 1]): [N, C], DOUBLE. A dense
     * layer's units are their own means.
     */
    public INDArray means(INDArray images) {
        INDArray act = forward(images);
        try {
            INDArray mean = act.rank() == 4 ? act.mean(2, 3) : act;
            INDArray result = mean.castTo(DataType.DOUBLE);
            if (result == mean || mean == act) {
                return result == act ? act.dup() : result; // never the network's own array, which clear() frees
            }
            featviz.model.op.Memory.release(mean);
            return result;
        } finally {
            network.clear();
        }
    }

    /**
     * The layer's whole output for a batch, [N, C, H, W] FLOAT, a copy the caller owns.
     *
     * @throws UsageException when the layer has no spatial dimensions
     */
    public INDArray maps(INDArray images) {
        requireSpatial("dataset examples");
        INDArray act = forward(images);
        try {
            return act.dup();
        } finally {
            network.clear();
        }
    }

    /** @throws UsageException saying what needs spatial positions, when the layer has none */
    public void requireSpatial(String what) {
        if (!spatial()) {
            throw new UsageException(what + " need a layer with spatial positions (channels x height x width); "
                    + layerName + " outputs " + shape[0] + " units; choose a convolutional layer");
        }
    }

    private INDArray forward(INDArray images) {
        if (images.rank() != 4 || images.size(2) != size || images.size(3) != size) {
            throw new IllegalArgumentException("expected images [N, 3, " + size + ", " + size + "], got "
                    + java.util.Arrays.toString(images.shape()));
        }
        return network.forward(images).get(vertex);
    }
}
