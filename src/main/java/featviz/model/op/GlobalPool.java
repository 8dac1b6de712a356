package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * DL4J's GlobalPoolingLayer over the spatial dimensions of NCHW activations: max, average, sum or p-norm
 * {@code (sum |x|^p)^(1/p)}, giving [N, C] (or [N, C, 1, 1] when DL4J's collapseDimensions is off).
 */
public final class GlobalPool implements Op {
    public enum Kind { MAX, AVG, SUM, PNORM }

    private final Kind kind;
    private final int p;
    private final boolean keepDims;
    private INDArray input;
    private INDArray pooled; // p-norm only: the [N, C, 1, 1] norms

    /** @param p the norm's exponent (p-norm only) @param keepDims output [N, C, 1, 1] instead of [N, C] */
    public GlobalPool(Kind kind, int p, boolean keepDims) {
        this.kind = kind;
        this.p = p;
        this.keepDims = keepDims;
    }

    @Override
    public INDArray forward(INDArray... in) {
        input = in[0];
        INDArray out = switch (kind) {
            case MAX -> input.max(true, 2, 3);
            case AVG -> input.mean(true, 2, 3);
            case SUM -> input.sum(true, 2, 3);
            case PNORM -> {
                INDArray powered = Transforms.pow(Transforms.abs(input, true), p, false);
                pooled = Transforms.pow(powered.sum(true, 2, 3), 1.0 / p, false);
                powered.close();
                yield pooled.dup();
            }
        };
        return keepDims ? out : out.reshape(out.size(0), out.size(1));
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        long n = input.size(0), c = input.size(1), h = input.size(2), w = input.size(3);
        INDArray g4 = gradOut.reshape(n, c, 1, 1).broadcast(n, c, h, w);
        INDArray grad;
        switch (kind) {
            case MAX -> {
                // The gradient goes to the position(s) holding the maximum.
                INDArray maxima = input.max(true, 2, 3);
                grad = input.eq(maxima.broadcast(n, c, h, w)).castTo(input.dataType()).muli(g4);
            }
            case AVG -> grad = Nd4j.createUninitialized(input.dataType(), input.shape()).assign(g4).divi(h * w);
            case SUM -> grad = Nd4j.createUninitialized(input.dataType(), input.shape()).assign(g4);
            default -> {
                // d/dx (sum |x|^p)^(1/p) = x |x|^(p-2) / norm^(p-1)
                INDArray numerator = p == 2 ? input.dup()
                        : input.mul(Transforms.pow(Transforms.abs(input, true), p - 2, false));
                INDArray denominator = Transforms.pow(pooled, p - 1, true).broadcast(n, c, h, w);
                grad = numerator.divi(denominator).muli(g4);
            }
        }
        return new INDArray[] {grad};
    }

    @Override
    public void clear() {
        input = null;
        pooled = null;
    }

    @Override
    public String describe() {
        return "global " + kind.name().toLowerCase();
    }
}
