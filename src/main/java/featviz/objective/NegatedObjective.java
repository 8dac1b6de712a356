package featviz.objective;

import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Minus an objective: to minimise something, e.g. to find what a channel responds to least. */
public final class NegatedObjective implements Objective {
    private final Objective inner;

    public NegatedObjective(Objective inner) {
        this.inner = inner;
    }

    public Objective inner() {
        return inner;
    }

    @Override
    public Set<String> layers() {
        return inner.layers();
    }

    @Override
    public long[] channelsRead(String layer) {
        return inner.channelsRead(layer);
    }

    @Override
    public Evaluation evaluate(Map<String, INDArray> activations) {
        return inner.evaluate(activations).scaled(-1);
    }

    @Override
    public String describe() {
        return "-" + Objectives.parenthesized(inner);
    }
}
