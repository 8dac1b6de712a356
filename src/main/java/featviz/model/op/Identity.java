package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Passes its input through: dropout at inference time, and the graph's input vertex. */
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
    public String describe() {
        return name;
    }
}
