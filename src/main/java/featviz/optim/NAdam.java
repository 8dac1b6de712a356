package featviz.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
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
    private static final double MOMENTUM_DECAY = 0.004;

    private final double learningRate;
    private final Moments moments = new Moments();
    private double muProduct = 1;

    public NAdam(double learningRate) {
        this.learningRate = learningRate;
    }

    static double mu(int t) {
        return Moments.BETA1 * (1 - 0.5 * Math.pow(0.96, t * MOMENTUM_DECAY));
    }

    @Override
    public void step(INDArray params, INDArray grad) {
        int t = moments.update(grad);
        double muT = mu(t);
        double muNext = mu(t + 1);
        muProduct *= muT;
        INDArray denominator = Transforms.sqrt(moments.meanSquare().div(1 - Math.pow(Moments.BETA2, t)), false)
                .addi(Moments.EPSILON);
        INDArray mhat = moments.mean().mul(muNext / (1 - muProduct * muNext)).addi(grad.mul((1 - muT) / (1 - muProduct)));
        params.addi(mhat.divi(denominator).muli(learningRate));
    }

    @Override
    public String describe() {
        return "nadam(lr=" + learningRate + ")";
    }
}
