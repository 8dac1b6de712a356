package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A fully connected layer, {@code y = x W + b} with DL4J's layout W [nIn, nOut], b [1, nOut]. */
public final class Dense implements Op {
    private final INDArray weights;
    private final INDArray bias;

    public Dense(INDArray weights, INDArray bias) {
        this.weights = weights;
        this.bias = bias;
    }

    @Override
    public INDArray forward(INDArray... in) {
        INDArray out = in[0].mmul(weights);
        if (bias != null) {
            out.addiRowVector(bias);
        }
        return out;
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        return new INDArray[] {gradOut.mmul(weights.transpose())};
    }

    @Override
    public String describe() {
        return "dense " + weights.size(1);
    }
}
