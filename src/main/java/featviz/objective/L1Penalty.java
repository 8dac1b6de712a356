package featviz.objective;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * L1 distance from a constant image, as a penalty: minus the mean of |x - constant| over the image. Like
 * Lucid's {@code L1(constant=...)}; the expression language's {@code l1} uses 0.5, mid-grey in featviz's
 * [0, 1] images, so it pulls pixels that do not help the objective back to grey (with 0 it would pull
 * everything towards black). The gradient at x = constant is taken as 0.
 */
public final class L1Penalty extends ImagePenalty {
    /** The constant {@code l1} uses: mid-grey. */
    public static final double GREY = 0.5;

    private final double constant;

    public L1Penalty(double constant, int batchIndex) {
        super(batchIndex);
        this.constant = constant;
    }

    public L1Penalty() {
        this(GREY, Batch.ALL);
    }

    @Override
    Measure measure(INDArray image) {
        INDArray diff = image.sub(constant);
        double[] sums = Batch.sumPerImage(Transforms.abs(diff, true));
        return new Measure(sums, Transforms.sign(diff, false));
    }

    @Override
    String name() {
        return constant == GREY ? "l1" : "l1(" + constant + ")";
    }
}
