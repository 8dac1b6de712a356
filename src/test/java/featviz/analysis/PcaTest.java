package featviz.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PCA against a hand-made answer: points t*u + s*v (u, v orthonormal, t and s uncorrelated, t spread wider)
 * project to (t, s) minus their means, with the signs the largest-loading rule fixes.
 */
class PcaTest {
    static final double[] U = {0.6, 0.8, 0, 0, 0};          // largest loading 0.8 > 0: sign kept
    static final double[] V = {0, 0, 0, -1, 0};             // largest loading -1: flipped, so s comes out negated

    static INDArray points(double[] t, double[] s) {
        INDArray x = Nd4j.create(DataType.DOUBLE, t.length, U.length);
        for (int i = 0; i < t.length; i++) {
            for (int k = 0; k < U.length; k++) {
                x.putScalar(i, k, t[i] * U[k] + s[i] * V[k] + 3.0); // an offset the centring removes
            }
        }
        return x;
    }

    /** 1e-5: ND4J hands LAPACK the eigenproblem in float whatever the arrays are, measured errors 3e-7 to 6e-8. */
    static void check(double[] t, double[] s) {
        double[][] p = Pca.project(points(t, s), 2).toDoubleMatrix();
        double mt = java.util.Arrays.stream(t).average().orElse(0);
        double ms = java.util.Arrays.stream(s).average().orElse(0);
        for (int i = 0; i < t.length; i++) {
            assertEquals(t[i] - mt, p[i][0], 1e-5, "pc1 of point " + i);
            assertEquals(-(s[i] - ms), p[i][1], 1e-5, "pc2 of point " + i);
        }
    }

    @Test
    void fewerPointsThanDimensions() {
        check(new double[] {-4, 1, 5, 0}, new double[] {0.3, -0.3, 0.3, -0.3}); // centred t . s = 0
    }

    @Test
    void morePointsThanDimensions() {
        double[] t = new double[20];
        double[] s = new double[20];
        for (int i = 0; i < 20; i++) {
            t[i] = 10 * Math.sin(i);
            s[i] = Math.cos(3 * i);
        }
        // Uncorrelated by construction (else the principal axes are a rotation of u and v): s minus its
        // projection on the centred t.
        double mt = java.util.Arrays.stream(t).average().orElse(0);
        double ts = 0;
        double tt = 0;
        for (int i = 0; i < 20; i++) {
            ts += (t[i] - mt) * s[i];
            tt += (t[i] - mt) * (t[i] - mt);
        }
        for (int i = 0; i < 20; i++) {
            s[i] -= ts / tt * (t[i] - mt);
        }
        check(t, s);
    }
}
