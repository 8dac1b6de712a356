package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** DL4J's GlobalPoolingLayer over the spatial dimensions of NCHW activations: average or max. */
public final class GlobalPool implements Op {
    private final boolean max;
    private INDArray input;

    public GlobalPool(boolean max) {
        this.max = max;
    }

    @Override
    public INDArray forward(INDArray... in) {
        input = in[0];
        return max ? input.max(2, 3) : input.mean(2, 3);
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        long n = input.size(0), c = input.size(1), h = input.size(2), w = input.size(3);
        INDArray g4 = gradOut.reshape(n, c, 1, 1);
        INDArray grad;
        if (max) {
            // The gradient goes to the position(s) holding the maximum.
            INDArray maxima = input.max(true, 2, 3);
            INDArray mask = input.eq(maxima.broadcast(n, c, h, w)).castTo(input.dataType());
            grad = mask.muli(g4.broadcast(n, c, h, w));
        } else {
            grad = Nd4j.createUninitialized(input.dataType(), input.shape()).assign(g4.broadcast(n, c, h, w)).divi(h * w);
        }
        return new INDArray[] {grad};
    }

    @Override
    public void clear() {
        input = null;
    }

    @Override
    public String describe() {
        return max ? "global max" : "global avg";
    }
}
