package featviz.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The two running moments of the gradient that Adam and NAdam share: m, its exponential mean, and v, that of its
 * square, with the usual decay rates; each optimiser corrects and combines them its own way.
 */
final class Moments {
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPSILON = 1e-8;

    private INDArray m;
    private INDArray v;
    private int t;

    /** Folds in one gradient; returns the step number t (1 for the first). */
    int update(INDArray grad) {
        if (m == null) {
            // Outside any workspace: the moments live as long as the optimiser.
            try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                m = Nd4j.zeros(grad.dataType(), grad.shape());
                v = Nd4j.zeros(grad.dataType(), grad.shape());
            }
        }
        t++;
        m.muli(BETA1).addi(grad.mul(1 - BETA1));
        v.muli(BETA2).addi(grad.mul(grad).muli(1 - BETA2));
        return t;
    }

    INDArray mean() {
        return m;
    }

    INDArray meanSquare() {
        return v;
    }
}
