package featviz.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The original tutorial's update: {@code x += step * g / (std(g) + 1e-8)}. Dividing by the gradient's
 * standard deviation makes the step size mean the same in shallow and deep layers, whose raw gradients
 * differ by orders of magnitude. The standard deviation is taken per image, so images of a batch do not
 * influence each other.
 */
public final class NormalizedAscent implements Optimizer {
    private final double stepSize;

    public NormalizedAscent(double stepSize) {
        this.stepSize = stepSize;
    }

    @Override
    public void step(INDArray params, INDArray grad) {
        for (long i = 0; i < grad.size(0); i++) {
            INDArray g = grad.slice(i);
            double std = g.stdNumber().doubleValue();
            params.slice(i).addi(g.mul(stepSize / (std + 1e-8)));
        }
    }

    @Override
    public String describe() {
        return "normalized(step=" + stepSize + ")";
    }
}
