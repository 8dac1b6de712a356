package featviz.objective;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The sum of several objectives: values add image by image, and gradients add wherever two terms read
 * the same layer. Reads the union of its terms' layers.
 */
public final class SumObjective implements Objective {
    private final List<Objective> terms;

    public SumObjective(List<Objective> terms) {
        if (terms.isEmpty()) {
            throw new IllegalArgumentException("a sum needs at least one term");
        }
        this.terms = List.copyOf(terms);
    }

    public List<Objective> terms() {
        return terms;
    }

    @Override
    public Set<String> layers() {
        Set<String> layers = new LinkedHashSet<>();
        for (Objective t : terms) {
            layers.addAll(t.layers());
        }
        return Collections.unmodifiableSet(layers);
    }

    /** The union over the terms that read {@code layer}; null if any of them reads all its channels. */
    @Override
    public long[] channelsRead(String layer) {
        java.util.stream.LongStream.Builder all = java.util.stream.LongStream.builder();
        for (Objective t : terms) {
            if (t.layers().contains(layer)) {
                long[] read = t.channelsRead(layer);
                if (read == null) {
                    return null;
                }
                java.util.Arrays.stream(read).forEach(all);
            }
        }
        return all.build().distinct().toArray();
    }

    @Override
    public Evaluation evaluate(Map<String, INDArray> activations) {
        double[] values = null;
        Map<String, INDArray> gradients = new LinkedHashMap<>();
        for (Objective t : terms) {
            Evaluation e = t.evaluate(activations);
            if (values == null) {
                values = e.values().clone();
            } else {
                if (e.values().length != values.length) {
                    throw new IllegalStateException(t.describe() + " scored " + e.values().length + " images, not "
                            + values.length);
                }
                for (int i = 0; i < values.length; i++) {
                    values[i] += e.values()[i];
                }
            }
            // add() rather than addi(): a term may hand back an array it still uses
            e.gradients().forEach((layer, g) -> gradients.merge(layer, g, INDArray::add));
        }
        return new Evaluation(values, gradients);
    }

    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Objective t : terms) {
            String d = t.describe();
            if (sb.length() == 0) {
                sb.append(d);
            } else if (d.startsWith("-")) {
                sb.append(" - ").append(d.substring(1)); // negated terms and negative weights print as subtraction
            } else {
                sb.append(" + ").append(d);
            }
        }
        return sb.toString();
    }
}
