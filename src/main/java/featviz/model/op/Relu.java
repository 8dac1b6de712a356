package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * ReLU. Its backward pass needs only the output (positive exactly where the input was), so no copy of
 * the input is kept, and libnd4j's fused {@code relu_bp} masks the gradient in one pass.
 */
public final class Relu implements Op {
    private INDArray output;

    @Override
    public INDArray forward(INDArray... in) {
        output = Transforms.relu(in[0], true);
        return output;
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        INDArray grad = Nd4j.createUninitialized(gradOut.dataType(), gradOut.shape());
        Nd4j.exec(DynamicCustomOp.builder("relu_bp").addInputs(output, gradOut).addOutputs(grad)
                .addFloatingPointArguments(0.0).build());
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
