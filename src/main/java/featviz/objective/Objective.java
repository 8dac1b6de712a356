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

    /** A short description for messages and provenance, e.g. {@code channel(block5_conv4, 4)}. */
    String describe();

    record Evaluation(double[] values, Map<String, INDArray> gradients) {
        public double total() {
            double sum = 0;
            for (double v : values) {
                sum += v;
            }
            return sum;
        }
    }
}
