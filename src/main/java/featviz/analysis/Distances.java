package featviz.analysis;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Mean distances between activation vectors: within each group (over its pairs of distinct images), between
 * two groups (over all cross pairs), and from a probe to a group (over the group's images). L2, and cosine
 * distance 1 - cos(a, b) (a zero vector counts as orthogonal to everything). Computed in DOUBLE by blocks
 * of rows, so 10,000 vectors never make a 10,000 x 10,000 matrix.
 */
public final class Distances {
    private static final int BLOCK = 512;

    /** A set of vectors, [n, d]. */
    public record Group(String name, INDArray vectors) {
        public Group {
            vectors = vectors.castTo(DataType.DOUBLE);
        }

        public long size() {
            return vectors.size(0);
        }
    }

    /** One row of the summary: what is compared with what, over how many pairs, and the two mean distances. */
    public record Row(String kind, String from, String to, long pairs, double meanL2, double meanCosine) {
    }

    private Distances() {
    }

    /** Within each group, between every two groups, then from each probe (a group of one) to each group. */
    public static List<Row> summary(List<Group> groups, List<Group> probes) {
        List<Row> rows = new ArrayList<>();
        for (Group g : groups) {
            rows.add(within(g));
        }
        for (int i = 0; i < groups.size(); i++) {
            for (int j = i + 1; j < groups.size(); j++) {
                rows.add(between("between", groups.get(i), groups.get(j)));
            }
        }
        for (Group p : probes) {
            for (Group g : groups) {
                rows.add(between("probe", p, g));
            }
        }
        return rows;
    }

    /** Mean over the pairs of distinct images of one group (NaN with fewer than two). */
    public static Row within(Group g) {
        double[] sums = sums(g.vectors(), g.vectors(), true);
        long pairs = g.size() * (g.size() - 1); // ordered pairs: each unordered pair counted twice in the sums
        return new Row("within", g.name(), g.name(), pairs / 2, sums[0] / pairs, sums[1] / pairs);
    }

    /** Mean over every pair of one image of {@code a} and one of {@code b}. */
    public static Row between(String kind, Group a, Group b) {
        double[] sums = sums(a.vectors(), b.vectors(), false);
        long pairs = a.size() * b.size();
        return new Row(kind, a.name(), b.name(), pairs, sums[0] / pairs, sums[1] / pairs);
    }

    /** Sums of L2 and cosine distances over all pairs (row of a, row of b), leaving out i == j when same. */
    private static double[] sums(INDArray a, INDArray b, boolean same) {
        INDArray bSquares = b.mul(b);
        INDArray bNormSq = bSquares.sum(1).reshape(1, b.size(0));
        INDArray bUnit = unit(b);
        // Matrix products in column-major ('f') order throughout: ND4J computes a row-major product through a
        // column-major temporary that only the garbage collector frees (8 MB a block of 512 x 2,000, which took a
        // 10,000-image embed to 2.4 GB); with 'f' operands the product is the result itself, freed below.
        INDArray bT = b.transpose().dup('f');
        INDArray bUnitT = bUnit.transpose().dup('f');
        double l2 = 0;
        double cosine = 0;
        for (long start = 0; start < a.size(0); start += BLOCK) {
            long end = Math.min(a.size(0), start + BLOCK);
            INDArray block = a.get(NDArrayIndex.interval(start, end), NDArrayIndex.all());
            INDArray blockSquares = block.mul(block);
            INDArray blockNormSq = blockSquares.sum(1).reshape(end - start, 1);
            // |x - y|^2 = |x|^2 + |y|^2 - 2 x.y, clipped at 0 against rounding
            INDArray blockF = block.dup('f');
            INDArray d2 = blockF.mmul(bT).muli(-2).addiColumnVector(blockNormSq).addiRowVector(bNormSq);
            INDArray d = Transforms.sqrt(Transforms.max(d2, 0.0, false), false);
            INDArray blockUnitC = unit(block);
            INDArray blockUnit = blockUnitC.dup('f');
            INDArray similarity = blockUnit.mmul(bUnitT);
            if (same) {
                for (long i = start; i < end; i++) {
                    d.putScalar(i - start, i, 0.0);
                    similarity.putScalar(i - start, i, 1.0); // distance 0 to itself: left out below
                }
            }
            l2 += d.sumNumber().doubleValue();
            long cells = (end - start) * b.size(0) - (same ? end - start : 0);
            cosine += cells - (similarity.sumNumber().doubleValue() - (same ? end - start : 0));
            // Native memory is freed when Java collects the arrays, which a small heap does rarely: freed
            // here, the blocks of 10,000 vectors stay within a few block-sized arrays.
            release(blockF, blockSquares, blockNormSq, d2, blockUnitC, blockUnit, similarity); // d is d2, in place
        }
        release(bSquares, bNormSq, bUnit, bT, bUnitT);
        return new double[] {l2, cosine};
    }

    /** Rows scaled to unit length; zero rows stay zero. */
    private static INDArray unit(INDArray x) {
        INDArray squares = x.mul(x);
        INDArray norms = Transforms.sqrt(squares.sum(1), false).reshape(x.size(0), 1);
        INDArray safe = Transforms.max(norms, 1e-300, false);
        INDArray u = x.divColumnVector(safe);
        release(squares, norms); // safe is norms, clipped in place
        return u;
    }

    private static void release(INDArray... arrays) {
        for (INDArray a : arrays) {
            featviz.model.op.Memory.release(a);
        }
    }

    /** Euclidean distance of two vectors, for tests and single comparisons. */
    public static double l2(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    /** 1 - cos(a, b); 1 when either is zero. */
    public static double cosine(double[] a, double[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return aa == 0 || bb == 0 ? 1 : 1 - ab / Math.sqrt(aa * bb);
    }
}
