package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One differentiable step of a {@link featviz.model.Network}: a forward pass, and a backward pass that
 * computes the gradient with respect to the op's inputs only (never its weights: feature
 * visualization keeps the weights fixed, so their gradients would be wasted arithmetic).
 *
 * <p>An op remembers what its backward pass needs from the last forward pass; a network is used by one
 * render loop at a time. Arrays an op returns belong to the caller; the network frees them after the step.
 */
public interface Op {

    INDArray forward(INDArray... inputs);

    /** Gradient of the objective with respect to each input of the last forward pass. */
    INDArray[] backward(INDArray gradOutput);

    /** Drops what the last forward pass kept for the backward pass. */
    default void clear() {
    }

    /**
     * Whether {@link #forward} may return its input array itself (or a view of it) rather than a new
     * array: pass-throughs and in-place ops. Whoever overwrites an op's output must then own its input too.
     */
    default boolean outputIsInput() {
        return false;
    }

    /**
     * Whether {@link #backward} reads the array {@link #forward} returned (not only the inputs). Such an
     * output must not be overwritten by the op after it, so an in-place op there copies instead.
     */
    default boolean backwardReadsOutput() {
        return false;
    }

    /** A short human name for listings, e.g. {@code conv 3x3/1 64}. */
    String describe();
}
