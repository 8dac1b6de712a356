package featviz.transform;

import featviz.model.op.PortableOps;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A fixed bilinear resampling of every plane of a batch and its exact adjoint, built for one forward pass.
 * {@link BilinearSampler} loops over host memory (fastest on the CPU); on the portable path
 * ({@link PortableOps}: the CUDA backend, or {@code -Dfeatviz.ops=portable}) the same maps run as ND4J ops
 * that keep the arrays where they are: {@link ResizeProducts} and {@link RotationGathers}.
 */
interface Sampler {

    /** Images [N, C, H, W] to resampled images [N, C, h, w]. */
    INDArray gather(INDArray image);

    /** The adjoint of {@link #gather}: a gradient [N, C, h, w] to one [N, C, H, W]. */
    INDArray scatter(INDArray grad);

    /** Rotation about the plane's centre by {@code degrees}, counterclockwise as displayed; zeros outside. */
    static Sampler rotation(long[] inputShape, double degrees) {
        return PortableOps.active() ? new RotationGathers(inputShape, degrees)
                : BilinearSampler.rotation(inputShape, degrees);
    }

    /** Resize to h x w, pixel centres aligned, source points clamped to the edge pixels. */
    static Sampler resize(long[] inputShape, int outHeight, int outWidth) {
        return PortableOps.active() ? new ResizeProducts(inputShape, outHeight, outWidth)
                : BilinearSampler.resize(inputShape, outHeight, outWidth);
    }
}
