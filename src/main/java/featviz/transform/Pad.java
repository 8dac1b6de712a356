package featviz.transform;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A border of constant value around every image (Lucid pads with grey, 0.5). Jitter and rotation after it
 * then move grey, not the image's own edge pixels, into view; and the edges of the picture get as much
 * gradient as the middle, since they stay inside the network's view.
 */
public final class Pad implements Transform {
    private final int pixels;
    private final double value;
    private long[] inputShape;

    public Pad(int pixels, double value) {
        if (pixels < 0) {
            throw new IllegalArgumentException("pad must be at least 0 pixels, not " + pixels);
        }
        this.pixels = pixels;
        this.value = value;
    }

    @Override
    public INDArray forward(INDArray image, SplittableRandom random) {
        inputShape = image.shape();
        long[] shape = inputShape.clone();
        shape[2] += 2L * pixels;
        shape[3] += 2L * pixels;
        INDArray out = Nd4j.valueArrayOf(shape, value, image.dataType());
        out.get(inside()).assign(image);
        return out;
    }

    /** The adjoint of the linear part (the constant border carries no gradient): the inner crop. */
    @Override
    public INDArray backward(INDArray gradOutput) {
        return gradOutput.get(inside()).dup('c');
    }

    private INDArrayIndex[] inside() {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(),
            NDArrayIndex.interval(pixels, pixels + inputShape[2]), NDArrayIndex.interval(pixels, pixels + inputShape[3])};
    }

    @Override
    public String describe() {
        return "pad:" + pixels + ":" + Numbers.format(value);
    }
}
