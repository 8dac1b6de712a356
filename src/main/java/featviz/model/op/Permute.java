package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reorders the axes of its input (batch axis included in {@code axes}), as DL4J's PermutePreprocessor and the
 * channels-last flatten of Keras models do; the gradient goes back through the inverse order.
 */
public final class Permute implements Op {
    private final int[] axes;
    private int[] inverse;

    /**
     * @param axes the new order of the input's axes; without the batch axis (one shorter than the input's
     *     rank, Keras's 1-based Permute dims) the batch axis 0 is put first, as PermutePreprocessor does
     */
    public Permute(int... axes) {
        this.axes = axes.clone();
    }

    @Override
    public INDArray forward(INDArray... in) {
        int[] order = axes;
        if (order.length + 1 == in[0].rank()) {
            order = new int[axes.length + 1];
            System.arraycopy(axes, 0, order, 1, axes.length);
        }
        inverse = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            inverse[order[i]] = i;
        }
        return in[0].permute(order).dup('c');
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        return new INDArray[] {gradOut.permute(inverse).dup('c')};
    }

    @Override
    public String describe() {
        return "permute " + java.util.Arrays.toString(axes);
    }
}
