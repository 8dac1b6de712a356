package featviz.transform;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Lucid's random_rotate: a rotation about the image centre by an angle in degrees drawn from a list (one
 * for the whole batch), same size out, zeros where the rotated picture does not reach. Sampling is
 * bilinear rather than Lucid's nearest-neighbour, so the gradient reaches every source pixel smoothly.
 * An angle of 0 (a multiple of 360) passes the image through untouched.
 */
public final class RandomRotate implements Transform {
    private final double[] degrees;
    /** The sampling of the last forward; null when it was the identity. */
    private Sampler sampler;

    public RandomRotate(double[] degrees) {
        if (degrees.length == 0) {
            throw new IllegalArgumentException("no angles");
        }
        for (double d : degrees) {
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("angles must be finite, not " + d);
            }
        }
        this.degrees = degrees.clone();
    }

    @Override
    public INDArray forward(INDArray image, SplittableRandom random) {
        double angle = degrees[random.nextInt(degrees.length)];
        if (angle % 360 == 0) {
            sampler = null;
            return image;
        }
        sampler = Sampler.rotation(image.shape(), angle);
        return sampler.gather(image);
    }

    @Override
    public INDArray backward(INDArray gradOutput) {
        return sampler == null ? gradOutput : sampler.scatter(gradOutput);
    }

    /** The angle list; a single angle is written twice, since "rotate:D" alone means the range -D..D. */
    @Override
    public String describe() {
        String list = Numbers.list(degrees);
        return "rotate:" + (degrees.length == 1 ? list + "/" + list : list);
    }
}
