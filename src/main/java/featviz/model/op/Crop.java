package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** DL4J's Cropping2D: rows and columns cut off each side; the backward pass puts zeros back there. */
public final class Crop implements Op {
    private final int top, bottom, left, right;
    private long[] inputShape;

    /** @param cropping top, bottom, left, right */
    public Crop(int[] cropping) {
        this.top = cropping[0];
        this.bottom = cropping[1];
        this.left = cropping[2];
        this.right = cropping[3];
    }

    private INDArrayIndex[] inside(long h, long w) {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(top, h - bottom),
            NDArrayIndex.interval(left, w - right)};
    }

    @Override
    public INDArray forward(INDArray... in) {
        INDArray x = in[0];
        inputShape = x.shape();
        INDArray kept = x.get(inside(x.size(2), x.size(3)));
        return Memory.allocate(x.dataType(), kept.shape()).assign(kept);
    }

    @Override
    public INDArray[] backward(INDArray g) {
        INDArray grad = Memory.zeros(g.dataType(), inputShape);
        grad.get(inside(inputShape[2], inputShape[3])).assign(g);
        return new INDArray[] {grad};
    }

    @Override
    public String describe() {
        return "crop";
    }
}
