package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.comparison.CompareAndSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * Lucid's redirected ReLU gradient ({@code lucid/misc/redirected_relu_grad.py}), for the first steps of a render:
 * a unit that no start image activates has a ReLU that blocks its whole gradient, and plain ascent never moves.
 * While {@link #during} is open on this thread, every {@link Relu}'s backward pass does what Lucid's override
 * does: for each image of the batch whose true ReLU gradient is zero everywhere, it passes the incoming gradient
 * on instead, except where it would push an already negative input lower. In ascent terms (featviz climbs the
 * objective; Lucid's TensorFlow minimises its negation), at a blocked position ({@code output <= 0}) only a
 * positive gradient passes; where the ReLU is open the true gradient is zero for such an image anyway, so the
 * redirected gradient of the image is simply {@code max(g, 0)}. Images with any true gradient keep it exactly.
 *
 * <p>Max pooling needs no such override: its gradient goes to each window's maximum, so it is never zero where
 * the incoming gradient is not (Lucid overrides only Relu and Relu6 too; its max-pool override smooths instead).
 * A thread-local switch rather than a flag on each op, because ops are rebuilt (channel subsets) and shared
 * between networks; a render loop runs on one thread.
 */
public final class ReluRedirect {
    private static final ThreadLocal<Boolean> ACTIVE = ThreadLocal.withInitial(() -> false);

    private ReluRedirect() {
    }

    /** An open redirection; closing it restores what was before. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Redirects ReLU gradients on this thread until closed. */
    public static Scope during() {
        boolean before = ACTIVE.get();
        ACTIVE.set(true);
        return () -> ACTIVE.set(before);
    }

    static boolean active() {
        return ACTIVE.get();
    }

    /**
     * The ReLU's gradient, redirected where it is zero for a whole image: in place in {@code grad}.
     *
     * @param output the ReLU's output (positive exactly where its input was)
     * @param grad d objective / d output, [N, ...]; overwritten with d objective / d input
     */
    static void backward(INDArray output, INDArray grad) {
        INDArray upstream = grad.dup();
        Nd4j.exec(new CompareAndSet(grad, output, grad, Conditions.lessThanOrEqual(0)));
        for (long b = 0; b < grad.size(0); b++) {
            INDArray g = grad.slice(b);
            if (g.amaxNumber().doubleValue() == 0) {
                g.assign(org.nd4j.linalg.ops.transforms.Transforms.relu(upstream.slice(b), true));
            }
        }
    }
}
