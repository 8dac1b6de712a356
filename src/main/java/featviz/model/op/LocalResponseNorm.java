package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * DL4J's LocalResponseNormalization across channels, NCHW:
 * {@code y_c = x_c * s_c^-beta} with {@code s_c = k + alpha * sum of x_j^2 over channels |j - c| <= n/2}
 * (DL4J does not divide alpha by n). Its input gradient is
 * {@code g_j s_j^-beta - 2 alpha beta x_j * sum over channels |c - j| <= n/2 of g_c x_c s_c^(-beta-1)},
 * the neighbourhood being symmetric. Plain array arithmetic, any data type.
 */
public final class LocalResponseNorm implements Op {
    private final double k, alpha, beta;
    private final int half;
    private INDArray input;
    private INDArray scaleBase; // s = k + alpha * window sum of x^2, kept for the backward pass

    public LocalResponseNorm(double k, double n, double alpha, double beta) {
        this.k = k;
        this.alpha = alpha;
        this.beta = beta;
        this.half = (int) n / 2;
    }

    @Override
    public INDArray forward(INDArray... in) {
        input = in[0];
        INDArray squares = input.mul(input);
        scaleBase = windowSum(squares).muli(alpha).addi(k);
        Memory.release(squares);
        INDArray factor = Transforms.pow(scaleBase, -beta, true);
        INDArray out = Memory.allocate(input.dataType(), input.shape());
        input.mul(factor, out);
        factor.close();
        return out;
    }

    @Override
    public INDArray[] backward(INDArray g) {
        INDArray factor = Transforms.pow(scaleBase, -beta, true); // s^-beta
        INDArray inner = g.mul(input).muli(factor).divi(scaleBase); // g_c x_c s_c^(-beta-1)
        INDArray spread = windowSum(inner);
        inner.close();
        INDArray grad = Memory.allocate(g.dataType(), g.shape());
        g.mul(factor, grad).subi(spread.muli(input).muli(2 * alpha * beta));
        factor.close();
        spread.close();
        return new INDArray[] {grad};
    }

    /** Sum over the channels within {@code half} of each channel (dimension 1), zero beyond the edges. */
    private INDArray windowSum(INDArray a) {
        INDArray sum = a.dup();
        long c = a.size(1);
        for (int i = 1; i <= half && i < c; i++) {
            sum.get(channels(a.rank(), i, c)).addi(a.get(channels(a.rank(), 0, c - i)));
            sum.get(channels(a.rank(), 0, c - i)).addi(a.get(channels(a.rank(), i, c)));
        }
        return sum;
    }

    private static INDArrayIndex[] channels(int rank, long from, long to) {
        INDArrayIndex[] idx = new INDArrayIndex[rank];
        for (int d = 0; d < rank; d++) {
            idx[d] = NDArrayIndex.all();
        }
        idx[1] = NDArrayIndex.interval(from, to);
        return idx;
    }

    @Override
    public void clear() {
        input = null;
        if (scaleBase != null) {
            scaleBase.close();
            scaleBase = null;
        }
    }

    @Override
    public String describe() {
        return "lrn";
    }
}
