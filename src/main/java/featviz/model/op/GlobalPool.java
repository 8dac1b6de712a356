package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
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
        // Reduced straight to the output's rank: a reshape of a [N, C, 1, 1] result would be a view, which
        // the network cannot free at its last use.
        return switch (kind) {
            case MAX -> input.max(keepDims, 2, 3);
            case AVG -> input.mean(keepDims, 2, 3);
            case SUM -> input.sum(keepDims, 2, 3);
            case PNORM -> {
                INDArray powered = Transforms.pow(Transforms.abs(input, true), p, false);
                pooled = Transforms.pow(powered.sum(true, 2, 3), 1.0 / p, false);
                powered.close();
                yield keepDims ? pooled.dup() : pooled.reshape(pooled.size(0), pooled.size(1)).dup();
            }
        };
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
                INDArray at = input.eq(maxima.broadcast(n, c, h, w));
                grad = at.castTo(input.dataType()).muli(g4);
                at.close();
            }
            case AVG -> grad = Memory.allocate(input.dataType(), input.shape()).assign(g4).divi(h * w);
            case SUM -> grad = Memory.allocate(input.dataType(), input.shape()).assign(g4);
            default -> {
                // d/dx (sum |x|^p)^(1/p) = x |x|^(p-2) / norm^(p-1)
                INDArray numerator = Memory.allocate(input.dataType(), input.shape()).assign(input);
                if (p != 2) {
                    INDArray power = Transforms.pow(Transforms.abs(input, true), p - 2, false);
                    numerator.muli(power);
                    power.close();
                }
                INDArray denominator = Transforms.pow(pooled, p - 1, true);
                grad = numerator.divi(denominator.broadcast(n, c, h, w)).muli(g4);
                denominator.close();
            }
        }
        if (!Memory.sharesBuffer(g4, gradOut)) { // broadcast copies, unless the maps were 1x1
            g4.close();
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
