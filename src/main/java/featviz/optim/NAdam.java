package featviz.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * NAdam (Dozat 2016: Adam with Nesterov momentum), ascending, with the momentum schedule of PyTorch's
 * {@code torch.optim.NAdam} and Keras's {@code Nadam}: mu_t = beta1 (1 - 0.5 * 0.96^(0.004 t)). MACO (Xplique,
 * Horama) optimises its phase with it at rate 1.0. Element-wise, so the images of a batch stay independent.
 *
 * <pre>
 *   m = beta1 m + (1 - beta1) g,  v = beta2 v + (1 - beta2) g^2
 *   mhat = mu_{t+1} m / (1 - prod_{i<=t+1} mu_i) + (1 - mu_t) g / (1 - prod_{i<=t} mu_i)
 *   x += lr mhat / (sqrt(v / (1 - beta2^t)) + eps)
 * </pre>
 */
public final class NAdam implements Optimizer {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;
    private static final double MOMENTUM_DECAY = 0.004;

    private final double learningRate;
    private INDArray m;
    private INDArray v;
    private int t;
    private double muProduct = 1;

    public NAdam(double learningRate) {
        this.learningRate = learningRate;
    }

    static double mu(int t) {
        return BETA1 * (1 - 0.5 * Math.pow(0.96, t * MOMENTUM_DECAY));
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
        double muT = mu(t);
        double muNext = mu(t + 1);
        muProduct *= muT;
        m.muli(BETA1).addi(grad.mul(1 - BETA1));
        v.muli(BETA2).addi(grad.mul(grad).muli(1 - BETA2));
        INDArray denominator = Transforms.sqrt(v.div(1 - Math.pow(BETA2, t)), false).addi(EPSILON);
        INDArray mhat = m.mul(muNext / (1 - muProduct * muNext)).addi(grad.mul((1 - muT) / (1 - muProduct)));
        params.addi(mhat.divi(denominator).muli(learningRate));
    }

    @Override
    public String describe() {
        return "nadam(lr=" + learningRate + ")";
    }
}
