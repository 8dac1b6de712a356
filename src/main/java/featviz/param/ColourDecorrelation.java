package featviz.param;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Lucid's colour decorrelation: a fixed 3x3 matrix applied to every pixel, which turns values in a
 * decorrelated colour space into RGB. The matrix is the square root of the colour covariance of ImageNet
 * (from an SVD), so independent, equally scaled parameters come out with natural colour correlations and
 * the optimiser does not have to discover that neighbouring channels move together.
 *
 * <p>The matrix is divided by its largest column norm, as in Lucid, so no parameter direction is
 * stretched: the image moves at most as fast as the parameters do.
 */
public final class ColourDecorrelation {
    private static final double[][] SVD_SQRT = {
        {0.26, 0.09, 0.02},
        {0.27, 0.00, -0.05},
        {0.27, -0.09, 0.03},
    };
    private static final double[][] MATRIX = normalised(SVD_SQRT);
    private static final double[][] TRANSPOSE = transpose(MATRIX);
    private static final double[][] INVERSE = inverse(MATRIX);

    private ColourDecorrelation() {
    }

    /** The normalised matrix M: rgb = M * decorrelated, per pixel. A copy. */
    public static double[][] matrix() {
        return copy(MATRIX);
    }

    /** Decorrelated values [N, 3, H, W] to RGB [N, 3, H, W] (before any squashing into [0, 1]). */
    public static INDArray apply(INDArray x) {
        return mix(MATRIX, x);
    }

    /** The adjoint of {@link #apply}: a gradient w.r.t. RGB to a gradient w.r.t. the decorrelated values. */
    public static INDArray applyTranspose(INDArray g) {
        return mix(TRANSPOSE, g);
    }

    /** The inverse of {@link #apply}, to start an optimisation from a given picture. */
    public static INDArray applyInverse(INDArray rgb) {
        return mix(INVERSE, rgb);
    }

    /**
     * out[n, i] = sum_j m[i][j] x[n, j] for every pixel, as one [3 x 3] by [3 x H*W] product per image.
     */
    private static INDArray mix(double[][] m, INDArray x) {
        long[] shape = x.shape();
        if (shape.length != 4 || shape[1] != 3) {
            throw new IllegalArgumentException("expected images [N, 3, H, W], got " + java.util.Arrays.toString(shape));
        }
        int n = (int) shape[0];
        long pixels = shape[2] * shape[3];
        INDArray matrix = Nd4j.create(new double[][] {m[0], m[1], m[2]}).castTo(x.dataType());
        INDArray in = x.reshape('c', n, 3, pixels);
        INDArray out = Nd4j.create(x.dataType(), n, 3, pixels);
        for (int i = 0; i < n; i++) {
            matrix.mmuli(in.slice(i), out.slice(i));
        }
        return out.reshape('c', shape);
    }

    private static double[][] normalised(double[][] m) {
        double maxNorm = 0;
        for (int col = 0; col < 3; col++) {
            double sq = 0;
            for (int row = 0; row < 3; row++) {
                sq += m[row][col] * m[row][col];
            }
            maxNorm = Math.max(maxNorm, Math.sqrt(sq));
        }
        double[][] out = new double[3][3];
        for (int row = 0; row < 3; row++) {
            for (int col = 0; col < 3; col++) {
                out[row][col] = m[row][col] / maxNorm;
            }
        }
        return out;
    }

    private static double[][] transpose(double[][] m) {
        double[][] t = new double[3][3];
        for (int row = 0; row < 3; row++) {
            for (int col = 0; col < 3; col++) {
                t[col][row] = m[row][col];
            }
        }
        return t;
    }

    /** The 3x3 inverse by cofactors: exact enough in double and needs no linear-algebra backend. */
    private static double[][] inverse(double[][] m) {
        double[][] cof = new double[3][3];
        for (int row = 0; row < 3; row++) {
            for (int col = 0; col < 3; col++) {
                int r1 = (row + 1) % 3;
                int r2 = (row + 2) % 3;
                int c1 = (col + 1) % 3;
                int c2 = (col + 2) % 3;
                cof[row][col] = m[r1][c1] * m[r2][c2] - m[r1][c2] * m[r2][c1];
            }
        }
        double det = m[0][0] * cof[0][0] + m[0][1] * cof[0][1] + m[0][2] * cof[0][2];
        double[][] inv = new double[3][3];
        for (int row = 0; row < 3; row++) {
            for (int col = 0; col < 3; col++) {
                inv[row][col] = cof[col][row] / det;
            }
        }
        return inv;
    }

    private static double[][] copy(double[][] m) {
        return new double[][] {m[0].clone(), m[1].clone(), m[2].clone()};
    }
}
