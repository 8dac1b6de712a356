package featviz.objective;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Pushes the images of a batch apart in style: the value is minus the cosine similarity between the
 * flattened Gram matrices G_i = A_i A_i^T (A_i: image i's activation as channels x positions) of every
 * other image, so it is at most 0 and rises as the images come to use different channel combinations.
 * Lucid's {@code diversity}, with its sign turned so that adding it (with a positive weight) to a channel
 * objective yields several different pictures of that channel, and divided by the batch size N as Lucid's:
 *
 * <pre>  value_i = -(1/N) sum_{j != i} cos(G_i, G_j)      total = -(1/N) sum_{i != j} cos(G_i, G_j)</pre>
 *
 * Its weight comes from {@link Objectives#scale}. A batch of one has nothing to differ from: value 0.
 * With a batch index b only value_b is kept, but its gradient still moves every image (b's similarity to
 * image j depends on both). Gram matrices are normalised as TensorFlow's l2_normalize does, with
 * |G| floored at 1e-5 (1e-10 on the squared norm), so an all-zero layer gives 0 instead of NaN.
 */
public final class DiversityObjective extends LayerObjective {
    private static final double MIN_SQUARED_NORM = 1e-10;

    public DiversityObjective(String layer, String displayLayer, int batchIndex) {
        super(layer, displayLayer, batchIndex);
    }

    public DiversityObjective(String layer, String displayLayer) {
        this(layer, displayLayer, Batch.ALL);
    }

    @Override
    public Evaluation evaluate(Map<String, INDArray> activations) {
        INDArray act = Batch.activation(activations, layer);
        int n = Batch.size(act, batchIndex);
        long channels = act.size(1);
        INDArray a = act.reshape('c', n, channels, Batch.positions(act)); // A_i, [N, C, P]
        INDArray grams = Nd4j.matmul(a, a, false, true, false).reshape(n, channels * channels); // row i: G_i
        double[] norm = grams.norm2(1).toDoubleVector();
        boolean[] floored = new boolean[n];
        for (int i = 0; i < n; i++) {
            floored[i] = norm[i] * norm[i] <= MIN_SQUARED_NORM;
            norm[i] = Math.max(norm[i], Math.sqrt(MIN_SQUARED_NORM));
        }
        INDArray normColumn = Nd4j.create(norm, new long[] {n, 1}, act.dataType());
        INDArray unit = grams.divColumnVector(normColumn); // G_i / |G_i|
        double[][] cos = unit.mmul(unit.transpose()).toDoubleMatrix();

        double[] weight = new double[n]; // 1 for the images whose value counts
        double[] values = new double[n];
        // d total / d unit_k = sum_j W[k][j] unit_j with W[k][j] = -(w_k + w_j) / N off the diagonal:
        // unit_k enters its own value (w_k) and each other image's value (w_j)
        double[][] w = new double[n][n];
        for (int i = 0; i < n; i++) {
            weight[i] = Batch.selected(batchIndex, i) ? 1 : 0;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    values[i] -= weight[i] * cos[i][j] / n;
                    w[i][j] = -(weight[i] + weight[j]) / n;
                }
            }
        }
        INDArray dUnit = Nd4j.create(w).castTo(act.dataType()).mmul(unit);
        // through the normalisation: remove the radial part, unless |G| sat at the floor where it is constant
        double[] radial = dUnit.mul(unit).sum(1).toDoubleVector();
        for (int i = 0; i < n; i++) {
            radial[i] = floored[i] ? 0 : radial[i];
        }
        INDArray dGram = dUnit.subi(unit.mulColumnVector(Nd4j.create(radial, new long[] {n, 1}, act.dataType())))
                .divColumnVector(normColumn).reshape(n, channels, channels);
        // through G = A A^T: dA = (dG + dG^T) A
        INDArray symmetric = dGram.add(dGram.permute(0, 2, 1));
        INDArray grad = Nd4j.matmul(symmetric, a);
        return new Evaluation(values, Map.of(layer, grad.reshape(act.shape())));
    }

    @Override
    public String describe() {
        return "diversity(" + displayLayer + Batch.describe(batchIndex) + ")";
    }
}
