package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Passes its input through: dropout at inference time, the graph's input vertex, and a BatchNorm folded
 * into the convolution before it ({@link featviz.model.Fusion}).
 */
public final class Identity implements Op {
    private final String name;

    public Identity(String name) {
        this.name = name;
    }

    @Override
    public INDArray forward(INDArray... in) {
        return in[0];
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        return new INDArray[] {gradOut};
    }

    @Override
    public boolean outputIsInput() {
        return true;
    }

    @Override
    public String describe() {
        return name;
    }
}
