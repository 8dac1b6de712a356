package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** DL4J's ZeroPaddingLayer: zeros around the spatial dimensions; the backward pass crops them off. */
public final class ZeroPad implements Op {
    private final int top, bottom, left, right;

    public ZeroPad(int[] padding) {
        this.top = padding[0];
        this.bottom = padding[1];
        this.left = padding[2];
        this.right = padding[3];
    }

    @Override
    public INDArray forward(INDArray... in) {
        INDArray x = in[0];
        INDArray out = Memory.zeros(x.dataType(), x.size(0), x.size(1), x.size(2) + top + bottom, x.size(3) + left + right);
        out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(top, top + x.size(2)),
                NDArrayIndex.interval(left, left + x.size(3))).assign(x);
        return out;
    }

    @Override
    public INDArray[] backward(INDArray g) {
        INDArray inside = g.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(top, g.size(2) - bottom),
                NDArrayIndex.interval(left, g.size(3) - right));
        return new INDArray[] {Memory.allocate(g.dataType(), inside.shape()).assign(inside)};
    }

    @Override
    public String describe() {
        return "zeropad";
    }
}
