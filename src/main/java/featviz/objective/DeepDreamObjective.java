package featviz.objective;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DeepDream: the mean of the squared activations of a whole layer, so that whatever the layer already
 * sees in the image gets amplified. Lucid's {@code deepdream}; the mean (over channels and positions, per
 * image) keeps its scale comparable across layers.
 */
public final class DeepDreamObjective extends LayerObjective {

    public DeepDreamObjective(String layer, String displayLayer, int batchIndex) {
        super(layer, displayLayer, batchIndex);
    }

    public DeepDreamObjective(String layer, String displayLayer) {
        this(layer, displayLayer, Batch.ALL);
    }

    @Override
    public Evaluation evaluate(Map<String, INDArray> activations) {
        INDArray act = Batch.activation(activations, layer);
        Batch.size(act, batchIndex);
        double count = Batch.perImage(act);
        double[] values = Batch.sumPerImage(act.mul(act));
        for (int i = 0; i < values.length; i++) {
            values[i] /= count;
        }
        INDArray grad = act.mul(2.0 / count);
        Batch.keepSelected(batchIndex, values, grad);
        return new Evaluation(values, Map.of(layer, grad));
    }

    @Override
    public String describe() {
        return "deepdream(" + displayLayer + Batch.describe(batchIndex) + ")";
    }
}
