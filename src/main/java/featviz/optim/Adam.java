package featviz.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Adam (Kingma & Ba 2014) ascending, with Lucid's default rate 0.05. Element-wise, so images stay independent. */
public final class Adam implements Optimizer {

    private final double learningRate;
    private final Moments moments = new Moments();

    public Adam(double learningRate) {
        this.learningRate = learningRate;
    }

    @Override
    public void step(INDArray params, INDArray grad) {
        int t = moments.update(grad);
        double correction = learningRate * Math.sqrt(1 - Math.pow(Moments.BETA2, t)) / (1 - Math.pow(Moments.BETA1, t));
        INDArray update = moments.mean().div(Transforms.sqrt(moments.meanSquare(), true).addi(Moments.EPSILON))
                .muli(correction);
        params.addi(update);
    }

    @Override
    public String describe() {
        return "adam(lr=" + learningRate + ")";
    }
}
