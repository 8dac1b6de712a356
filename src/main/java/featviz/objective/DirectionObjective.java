package featviz.objective;

import featviz.UsageException;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A direction in activation space instead of a single channel: the vector v (one number per channel) is
 * dotted with the activation vector a_p at every position p and the result averaged over positions. Lucid's
 * {@code direction}; useful for directions found by PCA, NMF or a linear probe, which no single channel
 * carries.
 *
 * <p>The cosine variant, mean over p of {@code <v, a_p> / (|v| |a_p| + eps |v|)}, rewards pointing the
 * right way rather than merely being large: a plain dot product can rise by inflating every channel. The
 * eps is scaled by |v| so that the value does not depend on how long v is; eps = 1e-4 is Lucid's, and is
 * negligible next to real activation norms while keeping positions where every channel is 0 finite.
 * There the gradient is u / eps, large but harmless after a ReLU, whose zero outputs pass no gradient on.
 */
public final class DirectionObjective extends LayerObjective {
    static final double EPS = 1e-4;
    /** Keeps 0/0 out where a position is all zeros (its c_p is exactly 0); representable in FLOAT too. */
    private static final double NORM_FLOOR = 1e-30;

    private final double[] direction;
    private final boolean cosine;

    public DirectionObjective(String layer, String displayLayer, double[] direction, boolean cosine, int batchIndex) {
        super(layer, displayLayer, batchIndex);
        double norm = 0;
        for (double d : direction) {
            if (!Double.isFinite(d)) {
                throw new UsageException("the direction for " + displayLayer + " holds " + d);
            }
            norm += d * d;
        }
        if (norm == 0) {
            throw new UsageException("the direction for " + displayLayer + " is all zeros");
        }
        this.direction = direction.clone();
        this.cosine = cosine;
    }

    public DirectionObjective(String layer, String displayLayer, double[] direction, boolean cosine) {
        this(layer, displayLayer, direction, cosine, Batch.ALL);
    }

    @Override
    public Evaluation evaluate(Map<String, INDArray> activations) {
        INDArray act = Batch.activation(activations, layer);
        int n = Batch.size(act, batchIndex);
        long channels = act.size(1);
        if (channels != direction.length) {
            throw new UsageException("the direction has " + direction.length + " numbers but " + displayLayer
                    + " has " + channels + " channels");
        }
        long positions = Batch.positions(act);
        // one row per (image, position), one column per channel: the whole batch in a few array operations,
        // since each ND4J call costs far more than the arithmetic on arrays this small
        INDArray rows = act.reshape('c', n, channels, positions).permute(0, 2, 1).dup('c')
                .reshape(n * positions, channels);
        INDArray v = Nd4j.create(direction, new long[] {1, channels}, act.dataType());
        if (cosine) {
            v.divi(v.norm2Number());
        }
        INDArray dots = rows.mmul(v.transpose()); // [N*P, 1]
        INDArray perPosition;
        INDArray gradRows;
        if (cosine) {
            // c_p = <u, a_p> / (|a_p| + eps) with u = v / |v|;
            // dc_p/da_p = u / (|a_p| + eps) - c_p a_p / (|a_p| (|a_p| + eps)), the second term 0 where a_p = 0
            INDArray norms = rows.norm2(1).reshape(n * positions, 1);
            INDArray denom = norms.add(EPS);
            perPosition = dots.div(denom);
            INDArray radial = perPosition.div(Transforms.max(norms, NORM_FLOOR, true).muli(denom));
            gradRows = Transforms.pow(denom, -1, true).mmul(v).subi(rows.mulColumnVector(radial));
        } else {
            perPosition = dots; // d<v, a_p>/da_p = v
            gradRows = Nd4j.ones(act.dataType(), n * positions, 1).mmul(v);
        }
        double[] values = perPosition.reshape(n, positions).sum(1).divi(positions).toDoubleVector();
        INDArray grad = gradRows.divi(positions).reshape(n, positions, channels).permute(0, 2, 1).dup('c')
                .reshape(act.shape());
        Batch.keepSelected(batchIndex, values, grad);
        return new Evaluation(values, Map.of(layer, grad));
    }

    @Override
    public String describe() {
        return (cosine ? "cosine(" : "direction(") + displayLayer + ", " + direction.length + " channels"
                + Batch.describe(batchIndex) + ")";
    }
}
