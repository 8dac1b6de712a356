package featviz.objective;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Batch rendering of a layer: image b maximises the mean activation of channel {@code channels[b]}. One
 * gradient array for the whole batch (a sum of per-image channel objectives would allocate one each).
 */
public final class ChannelPerImageObjective implements Objective {
    private final String layer;
    private final String displayLayer;
    private final List<Long> channels;

    public ChannelPerImageObjective(String layer, String displayLayer, List<Long> channels) {
        this.layer = layer;
        this.displayLayer = displayLayer;
        this.channels = List.copyOf(channels);
    }

    @Override
    public Set<String> layers() {
        return Set.of(layer);
    }

    @Override
    public Evaluation evaluate(Map<String, INDArray> activations) {
        INDArray act = activations.get(layer);
        if (act.size(0) != channels.size()) {
            throw new IllegalArgumentException("batch of " + act.size(0) + " images for " + channels.size() + " channels");
        }
        long positions = act.length() / (act.size(0) * act.size(1));
        INDArray grad = Nd4j.zeros(act.dataType(), act.shape());
        double[] values = new double[channels.size()];
        for (int b = 0; b < values.length; b++) {
            INDArrayIndex[] idx = new INDArrayIndex[act.rank()];
            idx[0] = NDArrayIndex.point(b);
            idx[1] = NDArrayIndex.point(channels.get(b));
            for (int d = 2; d < idx.length; d++) {
                idx[d] = NDArrayIndex.all();
            }
            values[b] = act.get(idx).sumNumber().doubleValue() / positions;
            grad.get(idx).assign(1.0 / positions);
        }
        return new Evaluation(values, Map.of(layer, grad));
    }

    @Override
    public long[] channelsRead(String layer) {
        return layer.equals(this.layer) ? channels.stream().mapToLong(Long::longValue).toArray() : null;
    }

    @Override
    public String describe() {
        return "channel(" + displayLayer + ", " + (channels.size() == 1 ? channels.get(0) : channels) + ")";
    }
}
