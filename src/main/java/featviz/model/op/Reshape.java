package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Flattens [N, C, H, W] to [N, C*H*W] in C order, as DL4J's CnnToFeedForwardPreProcessor does for NCHW
 * activations, or restores such a shape ({@code FeedForwardToCnnPreProcessor}).
 */
public final class Reshape implements Op {
    private final long[] perExample; // target shape without the batch dimension
    private long[] inputShape;

    public Reshape(long... perExample) {
        this.perExample = perExample;
    }

    public static Reshape flatten() {
        return new Reshape();
    }

    @Override
    public INDArray forward(INDArray... in) {
        INDArray x = in[0];
        inputShape = x.shape();
        long n = x.size(0);
        long[] shape;
        if (perExample.length == 0) {
            shape = new long[] {n, x.length() / n};
        } else {
            shape = new long[perExample.length + 1];
            shape[0] = n;
            System.arraycopy(perExample, 0, shape, 1, perExample.length);
        }
        return x.dup('c').reshape('c', shape);
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        return new INDArray[] {gradOut.dup('c').reshape('c', inputShape)};
    }

    @Override
    public String describe() {
        return perExample.length == 0 ? "flatten" : "reshape";
    }
}
