package featviz.objective;

import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/** An objective times a constant weight: how terms of different scales are balanced in a sum. */
public final class ScaledObjective implements Objective {
    private final double factor;
    private final Objective inner;

    public ScaledObjective(double factor, Objective inner) {
        if (!Double.isFinite(factor)) {
            throw new IllegalArgumentException("weight " + factor);
        }
        this.factor = factor;
        this.inner = inner;
    }

    public double factor() {
        return factor;
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
        return inner.evaluate(activations).scaled(factor);
    }

    @Override
    public String describe() {
        return Objectives.formatNumber(factor) + "*" + Objectives.parenthesized(inner);
    }
}
