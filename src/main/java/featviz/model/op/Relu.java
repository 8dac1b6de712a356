package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** ReLU; its backward pass needs only the output (positive where the input was), not the input. */
public final class Relu implements Op {
    private INDArray output;

    @Override
    public INDArray forward(INDArray... in) {
        output = Transforms.relu(in[0], true);
        return output;
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        INDArray mask = output.gt(0.0).castTo(gradOut.dataType());
        INDArray grad = mask.muli(gradOut);
        return new INDArray[] {grad};
    }

    @Override
    public void clear() {
        output = null;
    }

    @Override
    public String describe() {
        return "relu";
    }
}
