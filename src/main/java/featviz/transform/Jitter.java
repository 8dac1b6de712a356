package featviz.transform;

import featviz.UsageException;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Lucid's jitter: a random crop that is d pixels smaller than the image in each direction, at an offset
 * drawn from [0, d] along y and then x (one offset for the whole batch). A crop rather than a roll, as in
 * Lucid, so no seam of wrapped-around pixels appears; each jitter shrinks the image by d.
 */
public final class Jitter implements Transform {
    private final int maxShift;
    private long[] inputShape;
    private int offsetY;
    private int offsetX;

    public Jitter(int maxShift) {
        if (maxShift < 0) {
            throw new IllegalArgumentException("jitter must be at least 0 pixels, not " + maxShift);
        }
        this.maxShift = maxShift;
    }

    @Override
    public INDArray forward(INDArray image, SplittableRandom random) {
        inputShape = image.shape();
        if (inputShape[2] <= maxShift || inputShape[3] <= maxShift) {
            throw new UsageException(describe() + " needs images larger than " + maxShift + " pixels, not "
                    + inputShape[2] + "x" + inputShape[3]);
        }
        offsetY = random.nextInt(maxShift + 1);
        offsetX = random.nextInt(maxShift + 1);
        return image.get(crop()).dup('c');
    }

    /** The adjoint of a crop: the gradient put back at the crop's place, zero elsewhere. */
    @Override
    public INDArray backward(INDArray gradOutput) {
        INDArray grad = Nd4j.zeros(gradOutput.dataType(), inputShape);
        grad.get(crop()).assign(gradOutput);
        return grad;
    }

    private INDArrayIndex[] crop() {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(),
            NDArrayIndex.interval(offsetY, offsetY + inputShape[2] - maxShift),
            NDArrayIndex.interval(offsetX, offsetX + inputShape[3] - maxShift)};
    }

    @Override
    public String describe() {
        return "jitter:" + maxShift;
    }
}
