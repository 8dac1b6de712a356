package featviz.objective;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The mean activation of one channel over all positions (for a dense layer: one unit), for every image
 * of the batch or for one of them. The mean rather than the sum keeps one weight meaningful across image
 * sizes and layers of different resolution.
 */
public final class ChannelObjective extends LayerObjective {
    private final long channel;

    public ChannelObjective(String layer, String displayLayer, long channel, int batchIndex) {
        super(layer, displayLayer, batchIndex);
        this.channel = channel;
    }

    public ChannelObjective(String layer, String displayLayer, long channel) {
        this(layer, displayLayer, channel, Batch.ALL);
    }

    @Override
    public Evaluation evaluate(Map<String, INDArray> activations) {
        INDArray act = Batch.activation(activations, layer);
        int n = Batch.size(act, batchIndex);
        Batch.checkChannel(act, channel, displayLayer);
        long positions = Batch.positions(act);
        // whole-batch operations: each ND4J call costs far more than the arithmetic on one channel
        INDArray a = act.reshape('c', n, act.size(1), positions);
        double[] values = a.sum(2).getColumn(channel).divi(positions).toDoubleVector();
        INDArray grad = Nd4j.zeros(act.dataType(), a.shape());
        grad.get(batchIndex == Batch.ALL ? NDArrayIndex.all() : NDArrayIndex.point(batchIndex),
                NDArrayIndex.point(channel), NDArrayIndex.all()).assign(1.0 / positions);
        for (int i = 0; i < n; i++) {
            values[i] = Batch.selected(batchIndex, i) ? values[i] : 0;
        }
        return new Evaluation(values, Map.of(layer, grad.reshape(act.shape())));
    }

    @Override
    public long[] channelsRead(String layer) {
        return layer.equals(this.layer) ? new long[] {channel} : null;
    }

    @Override
    public String describe() {
        return "channel(" + displayLayer + ", " + channel + Batch.describe(batchIndex) + ")";
    }
}
