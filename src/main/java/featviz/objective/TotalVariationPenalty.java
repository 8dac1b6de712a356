package featviz.objective;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Total variation, as a penalty: minus (sum of |x[y][x+1] - x[y][x]| + sum of |x[y+1][x] - x[y][x]|) over
 * every channel, divided by C*H*W. Absolute differences as in Lucid (TensorFlow's total_variation): they
 * tolerate edges, where squared differences would blur them. It discourages the high-frequency noise that
 * plain pixel ascent produces. Where two neighbours are equal the gradient is taken as 0.
 */
public final class TotalVariationPenalty extends ImagePenalty {

    public TotalVariationPenalty(int batchIndex) {
        super(batchIndex);
    }

    public TotalVariationPenalty() {
        this(Batch.ALL);
    }

    @Override
    Measure measure(INDArray image) {
        INDArray grad = Nd4j.zeros(image.dataType(), image.shape());
        double[] sums = new double[(int) image.size(0)];
        add(image, grad, sums, 3); // horizontal neighbours
        add(image, grad, sums, 2); // vertical neighbours
        return new Measure(sums, grad);
    }

    /** Adds the differences along one axis: their absolute sums to sums, their signs to grad. */
    private static void add(INDArray image, INDArray grad, double[] sums, int axis) {
        long size = image.size(axis);
        if (size < 2) {
            return;
        }
        INDArray diff = shifted(image, axis, 1, size).sub(shifted(image, axis, 0, size - 1));
        double[] abs = Batch.sumPerImage(Transforms.abs(diff, true));
        for (int i = 0; i < sums.length; i++) {
            sums[i] += abs[i];
        }
        INDArray sign = Transforms.sign(diff, false);
        shifted(grad, axis, 1, size).addi(sign);
        shifted(grad, axis, 0, size - 1).subi(sign);
    }

    private static INDArray shifted(INDArray array, int axis, long from, long to) {
        INDArrayIndex[] idx = {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()};
        idx[axis] = NDArrayIndex.interval(from, to);
        return array.get(idx);
    }

    @Override
    String name() {
        return "tv";
    }
}
