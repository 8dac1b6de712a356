package featviz.transform;

import featviz.UsageException;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * MACO's random crop (Xplique's {@code crop_and_resize}, Horama's {@code roi_align}): a square box whose side is a
 * fraction of the image's, drawn uniformly from [min, max], centred at 0.5 + N(0, 0.15) of the image along each
 * axis, then resized to {@code out} x {@code out} pixels (bilinear, pixel centres aligned). The network sees a
 * different part of the image at a different scale each step, so the image must work everywhere and at every
 * scale rather than fit one view.
 *
 * <p>Differences from MACO, both for a simple exact adjoint: the box is whole pixels, and it is moved inside
 * the image where the draw would reach past an edge (Xplique fills with zeros there, which in [0, 1] images is
 * black). One box for the whole batch, so an image's draws do not depend on its batch.
 */
public final class RandomCrop implements Transform {
    /** MACO's spread of box centres, as a fraction of the image. */
    static final double CENTRE_STD = 0.15;

    private final double minFraction;
    private final double maxFraction;
    private final int out;
    private long[] inputShape;
    private INDArrayIndex[] box;
    private Sampler sampler;

    /**
     * @param out the side of the crops the network gets, pixels; 0 keeps each crop's own size
     */
    public RandomCrop(double minFraction, double maxFraction, int out) {
        if (!(minFraction > 0) || !(maxFraction >= minFraction) || maxFraction > 1 || out < 0) {
            throw new IllegalArgumentException("a crop needs 0 < min <= max <= 1 and a size >= 0, not " + minFraction
                    + ", " + maxFraction + ", " + out);
        }
        this.minFraction = minFraction;
        this.maxFraction = maxFraction;
        this.out = out;
    }

    @Override
    public INDArray forward(INDArray image, SplittableRandom random) {
        inputShape = image.shape();
        int height = (int) inputShape[2];
        int width = (int) inputShape[3];
        double fraction = minFraction + (maxFraction - minFraction) * random.nextDouble();
        int side = Math.max(1, Math.min(Math.min(height, width), (int) Math.round(fraction * Math.min(height, width))));
        int top = corner(height, side, 0.5 + CENTRE_STD * gaussian(random));
        int left = corner(width, side, 0.5 + CENTRE_STD * gaussian(random));
        box = new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(top, top + side),
            NDArrayIndex.interval(left, left + side)};
        INDArray crop = image.get(box).dup('c');
        if (out == 0 || out == side) {
            sampler = null;
            return crop;
        }
        sampler = Sampler.resize(crop.shape(), out, out); // matrix products on the portable path
        return sampler.gather(crop);
    }

    /** The first row (or column) of a box of {@code side} centred at {@code centre} of {@code size}, inside it. */
    private static int corner(int size, int side, double centre) {
        int first = (int) Math.round(centre * size - side / 2.0);
        return Math.max(0, Math.min(size - side, first));
    }

    /** A standard normal draw (Box-Muller with StrictMath, so it is the same on every JVM). */
    static double gaussian(SplittableRandom random) {
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * Math.PI * u2);
    }

    /** The adjoint: the resize's adjoint, put back at the box's place, zero elsewhere. */
    @Override
    public INDArray backward(INDArray gradOutput) {
        INDArray gradCrop = sampler == null ? gradOutput : sampler.scatter(gradOutput);
        INDArray grad = Nd4j.zeros(gradOutput.dataType(), inputShape);
        grad.get(box).assign(gradCrop);
        return grad;
    }

    @Override
    public String describe() {
        return "crop:" + Numbers.format(minFraction) + "-" + Numbers.format(maxFraction) + (out > 0 ? ":" + out : "");
    }
}
