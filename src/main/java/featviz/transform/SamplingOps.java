package featviz.transform;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The few libnd4j ops the portable samplers are made of. Coordinates and weights are computed on the device
 * in double (as the host sampler computes them), from a {@code range}, never from a host array, so no
 * image-sized array is uploaded or read back per step.
 */
final class SamplingOps {
    private SamplingOps() {
    }

    /** 0, 1, ..., n - 1 in double, made by libnd4j's {@code range} op. */
    static INDArray range(long n) {
        INDArray out = Nd4j.create(DataType.DOUBLE, n);
        Nd4j.exec(DynamicCustomOp.builder("range").addFloatingPointArguments(0.0, (double) n, 1.0)
                .addOutputs(out).build());
        return out;
    }

    /** 1 where {@code lo <= a <= hi}, else 0, in double. */
    static INDArray within(INDArray a, double lo, double hi) {
        return a.gte(lo).castTo(DataType.DOUBLE).muli(a.lte(hi).castTo(DataType.DOUBLE));
    }

    /** 1 where {@code a == value}, else 0, in double. */
    static INDArray equal(INDArray a, double value) {
        return a.eq(value).castTo(DataType.DOUBLE);
    }

    /** Columns {@code indices} (integers held in doubles) of {@code planes} [P, K], as [P, indices.length]. */
    static INDArray gatherColumns(INDArray planes, INDArray indices) {
        INDArray idx = indices.castTo(DataType.INT64);
        INDArray out = Nd4j.create(planes.dataType(), planes.size(0), idx.length());
        Nd4j.exec(DynamicCustomOp.builder("gather").addInputs(planes, idx).addIntegerArguments(1)
                .addOutputs(out).build());
        return out;
    }

    /**
     * The weighted sum of {@code taps} gathered columns per output: {@code planes} [P, K], indices and weights
     * [taps * M] laid out tap-major, to [P, M] = sum over t of weight[t, m] * planes[:, index[t, m]].
     */
    static INDArray weightedTaps(INDArray planes, INDArray indices, INDArray weights, int taps) {
        long m = indices.length() / taps;
        INDArray gathered = gatherColumns(planes, indices);
        gathered.muliRowVector(weights.castTo(planes.dataType()).reshape(1, weights.length()));
        return gathered.reshape('c', planes.size(0), taps, m).sum(1);
    }

    /** {@code a} as [P, pixels] planes in c order (a copy only when its layout needs one). */
    static INDArray planes(INDArray a) {
        return a.reshape('c', a.size(0) * a.size(1), a.size(2) * a.size(3));
    }

    static void check(INDArray a, long[] shape) {
        if (!Arrays.equals(a.shape(), shape)) {
            throw new IllegalArgumentException("expected " + Arrays.toString(shape) + ", got " + Arrays.toString(a.shape()));
        }
    }

    /** max(0, 1 - |a|): the bilinear tent, the weight a source pixel at distance a along one axis gets. */
    static INDArray tent(INDArray a) {
        return Transforms.relu(Transforms.abs(a, true).rsubi(1.0), false);
    }
}
