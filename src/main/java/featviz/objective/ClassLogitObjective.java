package featviz.objective;

import featviz.UsageException;
import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One unit of a rank-2 activation [N, units]: for a classifier, the logit of one class. The caller hands
 * the vertex whose values come before the softmax, because maximising a softmax probability mostly pushes
 * the other classes down instead of painting this one.
 */
public final class ClassLogitObjective extends LayerObjective {
    private final long unit;

    public ClassLogitObjective(String layer, String displayLayer, long unit, int batchIndex) {
        super(layer, displayLayer, batchIndex);
        this.unit = unit;
    }

    public ClassLogitObjective(String layer, String displayLayer, long unit) {
        this(layer, displayLayer, unit, Batch.ALL);
    }

    @Override
    public Evaluation evaluate(Map<String, INDArray> activations) {
        INDArray act = Batch.activation(activations, layer);
        if (act.rank() != 2) {
            // a channel of a convolution is ChannelObjective's job; saying so beats a silent spatial mean
            throw new UsageException("class() needs a layer with one value per class, but " + displayLayer
                    + " has shape " + Arrays.toString(Arrays.copyOfRange(act.shape(), 1, act.rank()))
                    + "; use " + displayLayer + ":INDEX for a channel");
        }
        int n = Batch.size(act, batchIndex);
        Batch.checkChannel(act, unit, displayLayer);
        INDArray grad = Nd4j.zeros(act.dataType(), act.shape());
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            if (Batch.selected(batchIndex, i)) {
                values[i] = act.getDouble(i, unit);
                grad.putScalar(new long[] {i, unit}, 1.0);
            }
        }
        return new Evaluation(values, Map.of(layer, grad));
    }

    @Override
    public String describe() {
        return "class(" + displayLayer + ", " + unit + Batch.describe(batchIndex) + ")";
    }
}
