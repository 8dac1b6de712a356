package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@code y = max(x, bound)}: what DL4J's RReLU computes at inference ({@code RectifiedLinear(x, (l + u) / 2)},
 * not the leaky ReLU with the mean slope of the paper). The gradient passes where x is above the bound.
 */
public final class LowerBound implements Op {
    private final double bound;
    private INDArray input;

    public LowerBound(double bound) {
        this.bound = bound;
    }

    @Override
    public INDArray forward(INDArray... in) {
        input = in[0];
        return Transforms.max(Memory.allocate(input.dataType(), input.shape()).assign(input), bound, false);
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        INDArray above = input.gt(bound).castTo(gradOut.dataType());
        INDArray grad = gradOut.mul(above, Memory.allocate(gradOut.dataType(), gradOut.shape()));
        above.close();
        return new INDArray[] {grad};
    }

    @Override
    public void clear() {
        input = null;
    }

    @Override
    public String describe() {
        return "max(x, " + bound + ")";
    }
}
