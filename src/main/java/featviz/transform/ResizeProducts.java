package featviz.transform;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The bilinear resize of {@link BilinearSampler#resize} as two matrix products per batch, for the portable path:
 * a resize is separable, so out = Ry * plane * Rx^T with Ry [h, H] and Rx [w, W] holding each output row's
 * (column's) two tent weights, and the exact adjoint is Ry^T * grad * Rx, the same matrices transposed. The
 * matrices are built on the device from a {@code range}; the products are BLAS (cuBLAS on a GPU) calls over
 * all planes at once. Same half-pixel centres and clamping as the host sampler, so the same map.
 */
final class ResizeProducts implements Sampler {
    private final long[] inputShape;
    private final long[] outputShape;
    /** [h, H] and [w, W]: row j holds the weights output j gives each source index. */
    private INDArray alongY;
    private INDArray alongX;

    ResizeProducts(long[] inputShape, int outHeight, int outWidth) {
        this.inputShape = inputShape.clone();
        this.outputShape = new long[] {inputShape[0], inputShape[1], outHeight, outWidth};
    }

    /**
     * [out, in]: for output j the source point s = clamp((j + 0.5) * in / out - 0.5, 0, in - 1), and source
     * index i gets max(0, 1 - |s - i|): 1 - frac(s) and frac(s) on the two pixels around s, as the host's taps.
     */
    static INDArray weights(long in, long out) {
        double ratio = (double) in / out;
        INDArray source = SamplingOps.range(out).addi(0.5).muli(ratio).subi(0.5);
        source = Transforms.min(Transforms.max(source, 0.0, false), in - 1.0, false);
        INDArray distance = Nd4j.zeros(source.dataType(), out, in).addiColumnVector(source.reshape(out, 1))
                .subiRowVector(SamplingOps.range(in).reshape(1, in));
        return SamplingOps.tent(distance);
    }

    /** The matrices in {@code like}'s data type (a sampler serves one forward and its adjoint: one type). */
    private void build(INDArray like) {
        if (alongY == null || alongY.dataType() != like.dataType()) {
            alongY = weights(inputShape[2], outputShape[2]).castTo(like.dataType());
            alongX = weights(inputShape[3], outputShape[3]).castTo(like.dataType());
        }
    }

    @Override
    public INDArray gather(INDArray image) {
        SamplingOps.check(image, inputShape);
        build(image);
        return apply(image, alongX.transpose(), alongY, inputShape, outputShape);
    }

    @Override
    public INDArray scatter(INDArray grad) {
        SamplingOps.check(grad, outputShape);
        build(grad);
        return apply(grad, alongX, alongY.transpose(), outputShape, inputShape);
    }

    /** Planes [N, C, a, b] to [N, C, c, d] as left * plane * right, left [c, a] and right [b, d]. */
    private static INDArray apply(INDArray x, INDArray right, INDArray left, long[] from, long[] to) {
        long planes = from[0] * from[1];
        // along x: every row of every plane at once, [P*a, b] x [b, d]
        INDArray rows = x.reshape('c', planes * from[2], from[3]).mmul(right);
        // along y: the planes side by side, [c, a] x [a, P*d]
        INDArray columns = rows.reshape('c', planes, from[2], to[3]).permute(1, 0, 2).dup('c')
                .reshape('c', from[2], planes * to[3]);
        INDArray out = left.mmul(columns).reshape('c', to[2], planes, to[3]).permute(1, 0, 2).dup('c');
        return out.reshape('c', to);
    }
}
