package featviz.io;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Resizes image tensors with the deterministic resampler {@link ImageFiles#read(java.nio.file.Path, int, int)} uses. */
public final class ImageResize {
    private ImageResize() {
    }

    /**
     * The first image of an [N, C, H, W] batch (or a [C, H, W] image) as a new FLOAT [1, C, height, width]
     * tensor: area averaging when shrinking, linear interpolation when enlarging; a copy at the same size.
     */
    public static INDArray resize(INDArray image, int height, int width) {
        return Resampler.resize(Planes.fromTensor(image), height, width).toBatch();
    }
}
