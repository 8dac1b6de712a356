package featviz.param;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The pixels themselves are the parameters, kept in [0, 1] by clipping after each step (the original tutorial). */
public final class PixelParam implements ImageParam {
    private final INDArray pixels;

    /** @param start the start image [N, 3, H, W] in [0, 1]; it is copied */
    public PixelParam(INDArray start) {
        this.pixels = start.dup();
    }

    @Override
    public INDArray parameters() {
        return pixels;
    }

    @Override
    public INDArray image() {
        return pixels;
    }

    @Override
    public INDArray backward(INDArray gradImage) {
        return gradImage;
    }

    @Override
    public void afterStep() {
        Transforms.min(Transforms.max(pixels, 0.0, false), 1.0, false);
    }

    @Override
    public String describe() {
        return "pixel";
    }
}
