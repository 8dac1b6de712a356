package featviz.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Adam (Kingma & Ba 2014) ascending, with Lucid's default rate 0.05. Element-wise, so images stay independent. */
public final class Adam implements Optimizer {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    private final double learningRate;
    private INDArray m;
    private INDArray v;
    private int t;

    public Adam(double learningRate) {
        this.learningRate = learningRate;
    }

    @Override
    public void step(INDArray params, INDArray grad) {
        if (m == null) {
            // Outside any workspace: the moments live as long as the optimiser.
            try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                m = Nd4j.zeros(params.dataType(), params.shape());
                v = Nd4j.zeros(params.dataType(), params.shape());
            }
        }
        t++;
        m.muli(BETA1).addi(grad.mul(1 - BETA1));
        v.muli(BETA2).addi(grad.mul(grad).muli(1 - BETA2));
        double correction = learningRate * Math.sqrt(1 - Math.pow(BETA2, t)) / (1 - Math.pow(BETA1, t));
        INDArray update = m.div(Transforms.sqrt(v, true).addi(EPSILON)).muli(correction);
        params.addi(update);
    }

    @Override
    public String describe() {
        return "adam(lr=" + learningRate + ")";
    }
}
