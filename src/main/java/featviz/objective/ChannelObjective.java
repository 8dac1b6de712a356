package featviz.objective;

import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The mean activation of one channel over all positions (for a dense layer: one unit), for every image
 * of the batch or for one of them.
 */
public final class ChannelObjective implements Objective {
    private final String layer;
    private final String displayLayer;
    private final long channel;
    private final int batchIndex; // -1: every image

    public ChannelObjective(String layer, String displayLayer, long channel, int batchIndex) {
        this.layer = layer;
        this.displayLayer = displayLayer;
        this.channel = channel;
        this.batchIndex = batchIndex;
    }

    public ChannelObjective(String layer, String displayLayer, long channel) {
        this(layer, displayLayer, channel, -1);
    }

    @Override
    public Set<String> layers() {
        return Set.of(layer);
    }

    @Override
    public Evaluation evaluate(Map<String, INDArray> activations) {
        INDArray act = activations.get(layer);
        long n = act.size(0);
        long positions = act.length() / (n * act.size(1));
        INDArray grad = Nd4j.zeros(act.dataType(), act.shape());
        double[] values = new double[(int) n];
        for (int i = 0; i < n; i++) {
            if (batchIndex >= 0 && i != batchIndex) {
                continue;
            }
            values[i] = act.get(select(act, i)).sumNumber().doubleValue() / positions;
            grad.get(select(act, i)).assign(1.0 / positions);
        }
        return new Evaluation(values, Map.of(layer, grad));
    }

    private INDArrayIndex[] select(INDArray act, int image) {
        INDArrayIndex[] idx = new INDArrayIndex[act.rank()];
        idx[0] = NDArrayIndex.point(image);
        idx[1] = NDArrayIndex.point(channel);
        for (int d = 2; d < idx.length; d++) {
            idx[d] = NDArrayIndex.all();
        }
        return idx;
    }

    @Override
    public String describe() {
        return "channel(" + displayLayer + ", " + channel + (batchIndex >= 0 ? ", batch=" + batchIndex : "") + ")";
    }
}
