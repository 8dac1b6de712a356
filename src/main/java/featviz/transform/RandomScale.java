package featviz.transform;

import featviz.UsageException;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Lucid's random_scale: a bilinear resize by a factor drawn from a list (one for the whole batch), to
 * floor(factor * size) pixels. Features that only work at one exact scale do not survive it.
 *
 * <p>Each output pixel mixes four source pixels with fixed weights ({@link BilinearSampler}), so the exact
 * adjoint returns each gradient to those pixels with the same weights. Pixel centres are aligned
 * (half-pixel); Lucid's TF1 resize aligned the top-left corners, which shifts the image by up to half a
 * pixel. No anti-aliasing, as in Lucid: the factors stay near 1.
 */
public final class RandomScale implements Transform {
    private final double[] scales;
    /** The resampling of the last forward; null when the factor left the size unchanged. */
    private Sampler sampler;

    public RandomScale(double[] scales) {
        if (scales.length == 0) {
            throw new IllegalArgumentException("no scale factors");
        }
        for (double s : scales) {
            if (!(s > 0) || Double.isInfinite(s)) {
                throw new IllegalArgumentException("scale factors must be positive, not " + s);
            }
        }
        this.scales = scales.clone();
    }

    /** Lucid's rounding: the scaled size truncated, with a little slack for factors such as 0.98 * 50. */
    static int scaledSize(long size, double factor) {
        return (int) Math.floor(factor * size + 1e-9);
    }

    @Override
    public INDArray forward(INDArray image, SplittableRandom random) {
        double factor = scales[random.nextInt(scales.length)];
        long[] shape = image.shape();
        int outHeight = scaledSize(shape[2], factor);
        int outWidth = scaledSize(shape[3], factor);
        if (outHeight < 1 || outWidth < 1) {
            throw new UsageException("scale " + Numbers.format(factor) + " leaves nothing of a " + shape[2] + "x"
                    + shape[3] + " image");
        }
        if (outHeight == shape[2] && outWidth == shape[3]) {
            sampler = null; // the half-pixel resize to the same size is the identity
            return image;
        }
        sampler = Sampler.resize(shape, outHeight, outWidth);
        return sampler.gather(image);
    }

    @Override
    public INDArray backward(INDArray gradOutput) {
        return sampler == null ? gradOutput : sampler.scatter(gradOutput);
    }

    @Override
    public String describe() {
        return "scale:" + Numbers.list(scales);
    }
}
