package featviz.objective;

import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What to maximise: a function of a network's activations, with its gradient. Lucid's first idea: an
 * objective names the layers it reads, and the render loop truncates the network after them.
 */
public interface Objective {

    /** The vertices (DL4J names) whose activations this objective reads. */
    Set<String> layers();

    /**
     * @param activations activations [N, ...] of at least {@link #layers()}
     * @return the value for each image of the batch and d(sum of values)/d(activation) per layer read
     */
    Evaluation evaluate(Map<String, INDArray> activations);

    /**
     * The channels of {@code layer} this objective reads (and sends gradient to), or null for all of them
     * or when it cannot say. The render loop lets the last layer compute only these.
     */
    default long[] channelsRead(String layer) {
        return null;
    }

    /** A short description for messages and provenance, e.g. {@code channel(block5_conv4, 4)}. */
    String describe();

    record Evaluation(double[] values, Map<String, INDArray> gradients) {
        /** Every value and gradient times {@code factor}: for scaled and negated objectives. */
        public Evaluation scaled(double factor) {
            double[] scaledValues = values.clone();
            for (int i = 0; i < scaledValues.length; i++) {
                scaledValues[i] *= factor;
            }
            Map<String, INDArray> scaledGradients = new java.util.LinkedHashMap<>();
            gradients.forEach((layer, g) -> scaledGradients.put(layer, g.mul(factor)));
            return new Evaluation(scaledValues, scaledGradients);
        }

        public double total() {
            double sum = 0;
            for (double v : values) {
                sum += v;
            }
            return sum;
        }
    }
}
