package featviz.param;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Lucid's {@code to_valid_rgb(sigmoid=True)}: unbounded values to an image in (0, 1), optionally through the
 * colour decorrelation first. The sigmoid keeps every pixel in range without clipping, so the gradient
 * never stops at a clipped pixel and no step is wasted pushing against the bounds.
 */
final class ValidRgb {
    /**
     * How far inside (0, 1) a start picture is pulled before the logit: under half an 8-bit step, so the
     * picture saves back unchanged, while saturated pixels keep a usable gradient (sigmoid' ~ 0.0016).
     */
    static final double EDGE = 0.4 / 255;

    private final boolean decorrelate;

    ValidRgb(boolean decorrelate) {
        this.decorrelate = decorrelate;
    }

    boolean decorrelates() {
        return decorrelate;
    }

    /** Colour decorrelation mixes R, G and B: it has no meaning for other channel counts. */
    void check(long channels) {
        if (decorrelate && channels != 3) {
            throw new IllegalArgumentException("colour decorrelation is for 3-channel (RGB) images, not " + channels);
        }
    }

    /** Values [N, C, H, W] to the image (C = 3 when decorrelating). */
    INDArray forward(INDArray values) {
        INDArray mixed = decorrelate ? ColourDecorrelation.apply(values) : values.dup();
        return Transforms.sigmoid(mixed, false);
    }

    /** d objective / d values from d objective / d image, given the image forward produced. */
    INDArray backward(INDArray gradImage, INDArray image) {
        // sigmoid' = s (1 - s), expressed through the image so the pre-activation need not be kept
        INDArray grad = image.rsub(1.0).muli(image).muli(gradImage.castTo(image.dataType()));
        return decorrelate ? ColourDecorrelation.applyTranspose(grad) : grad;
    }

    /** The values whose image is {@code image}, with pixel values first pulled {@link #EDGE} inside (0, 1). */
    INDArray inverse(INDArray image) {
        INDArray p = Transforms.min(Transforms.max(image, EDGE, true), 1 - EDGE, false);
        INDArray logit = Transforms.log(p.div(p.rsub(1.0)), false);
        return decorrelate ? ColourDecorrelation.applyInverse(logit) : logit;
    }
}
