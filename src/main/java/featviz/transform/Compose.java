package featviz.transform;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Transforms applied in order, as one; backward runs them in reverse (the chain rule). */
public final class Compose implements Transform {
    private final List<Transform> parts;

    public Compose(List<Transform> parts) {
        this.parts = List.copyOf(parts);
    }

    public List<Transform> parts() {
        return parts;
    }

    @Override
    public INDArray forward(INDArray image, SplittableRandom random) {
        INDArray out = image;
        for (Transform t : parts) {
            out = t.forward(out, random);
        }
        return out;
    }

    @Override
    public INDArray backward(INDArray gradOutput) {
        INDArray grad = gradOutput;
        for (int i = parts.size() - 1; i >= 0; i--) {
            grad = parts.get(i).backward(grad);
        }
        return grad;
    }

    /** The parts' descriptions joined by commas, which {@link Transforms#parse} reads back; "none" if empty. */
    @Override
    public String describe() {
        return parts.isEmpty() ? "none" : parts.stream().map(Transform::describe).collect(Collectors.joining(","));
    }
}
