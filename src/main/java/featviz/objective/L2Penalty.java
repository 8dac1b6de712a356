package featviz.objective;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Squared L2 distance from a constant image, as a penalty: minus the mean of (x - constant)^2, with 0.5
 * (mid-grey) for {@code l2}. Lucid's L2 is the root of the sum instead; the mean of squares is used here
 * because its gradient is defined everywhere, in particular at a uniformly grey start image, where the
 * root's gradient is 0/0, and because it does not grow with the image size.
 */
public final class L2Penalty extends ImagePenalty {
    private final double constant;

    public L2Penalty(double constant, int batchIndex) {
        super(batchIndex);
        this.constant = constant;
    }

    public L2Penalty() {
        this(L1Penalty.GREY, Batch.ALL);
    }

    @Override
    Measure measure(INDArray image) {
        INDArray diff = image.sub(constant);
        double[] sums = Batch.sumPerImage(diff.mul(diff));
        return new Measure(sums, diff.muli(2));
    }

    @Override
    String name() {
        return constant == L1Penalty.GREY ? "l2" : "l2(" + constant + ")";
    }
}
