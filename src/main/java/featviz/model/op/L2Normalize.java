package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * DL4J's L2NormalizeVertex: each example divided by the L2 norm of its values over the given dimensions
 * (all but the batch by default), the norm clamped below at eps. Input gradient, with y = x / |x|:
 * {@code (g - y * sum(g * y)) / |x|}, or {@code g / eps} where the clamp applied.
 */
public final class L2Normalize implements Op {
    private final int[] dimensions; // null or empty: all but dimension 0
    private final double eps;
    private INDArray input;
    private INDArray norm; // clamped, with kept dimensions for broadcasting

    public L2Normalize(int[] dimensions, double eps) {
        this.dimensions = dimensions;
        this.eps = eps;
    }

    private int[] dims(INDArray x) {
        if (dimensions != null && dimensions.length > 0) {
            return dimensions;
        }
        int[] all = new int[x.rank() - 1];
        for (int i = 0; i < all.length; i++) {
            all[i] = i + 1;
        }
        return all;
    }

    @Override
    public INDArray forward(INDArray... in) {
        input = in[0];
        norm = Transforms.max(input.norm2(true, dims(input)), eps, false);
        INDArray wide = norm.broadcast(input.shape());
        INDArray out = input.div(wide, Memory.allocate(input.dataType(), input.shape()));
        closeCopy(wide, norm);
        return out;
    }

    @Override
    public INDArray[] backward(INDArray g) {
        int[] d = dims(input);
        INDArray wide = norm.broadcast(input.shape());
        INDArray y = input.div(wide);
        INDArray projection = g.mul(y).sum(true, d);
        // Where the norm was clamped it is a constant: y = x / eps has gradient g / eps.
        INDArray unclamped = input.norm2(true, d).gte(eps).castTo(projection.dataType());
        projection.muli(unclamped);
        INDArray projectionWide = projection.broadcast(input.shape());
        INDArray grad = g.sub(y.muli(projectionWide), Memory.allocate(g.dataType(), g.shape())).divi(wide);
        closeCopy(wide, norm);
        closeCopy(projectionWide, projection);
        y.close();
        projection.close();
        unclamped.close();
        return new INDArray[] {grad};
    }

    /** Frees a broadcast copy now (native memory is otherwise freed only when the GC runs), not its source. */
    private static void closeCopy(INDArray broadcast, INDArray source) {
        if (!Memory.sharesBuffer(broadcast, source)) {
            broadcast.close();
        }
    }

    @Override
    public void clear() {
        input = null;
        norm = null;
    }

    @Override
    public String describe() {
        return "l2 normalize";
    }
}
