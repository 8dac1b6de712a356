package featviz.param;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ColourDecorrelationTest {
    @Test
    void largestColumnNormIsOne() {
        double[][] m = ColourDecorrelation.matrix();
        double max = 0;
        for (int col = 0; col < 3; col++) {
            max = Math.max(max, Math.sqrt(m[0][col] * m[0][col] + m[1][col] * m[1][col] + m[2][col] * m[2][col]));
        }
        assertEquals(1.0, max, 1e-15);
        // first column of Lucid's matrix, (0.26, 0.27, 0.27), is the longest
        assertEquals(0.26 / Math.sqrt(0.26 * 0.26 + 0.27 * 0.27 * 2), m[0][0], 1e-15);
    }

    @Test
    void mixesTheChannelsOfEachPixel() {
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, 1, 2, 3, 4, 5);
        INDArray y = ColourDecorrelation.apply(x);
        double[][] m = ColourDecorrelation.matrix();
        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < 3; i++) {
                double expected = 0;
                for (int j = 0; j < 3; j++) {
                    expected += m[i][j] * x.getDouble(n, j, 3, 1);
                }
                assertEquals(expected, y.getDouble(n, i, 3, 1), 1e-14);
            }
        }
    }

    @Test
    void transposeIsTheAdjointAndInverseUndoes() {
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, 2, 3, 3, 6, 7).subi(0.5);
        INDArray y = GradientCheck.uniform(DataType.DOUBLE, 3, 3, 3, 6, 7).subi(0.5);
        double lhs = ParamChecks.dot(ColourDecorrelation.apply(x), y);
        double rhs = ParamChecks.dot(x, ColourDecorrelation.applyTranspose(y));
        assertEquals(0, (lhs - rhs) / Math.abs(lhs), 1e-12);
        INDArray back = ColourDecorrelation.applyInverse(ColourDecorrelation.apply(x));
        assertEquals(0, back.sub(x).amaxNumber().doubleValue(), 1e-12);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        INDArray weights = GradientCheck.uniform(DataType.DOUBLE, 4, 2, 3, 5, 5).subi(0.5);
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, 5, 2, 3, 5, 5).subi(0.5);
        INDArray grad = ColourDecorrelation.applyTranspose(
                ParamChecks.lossGradient(ColourDecorrelation.apply(x), weights));
        java.util.function.Function<INDArray, Double> f = p -> ParamChecks.loss(ColourDecorrelation.apply(p), weights);
        assertTrue(GradientCheck.directionalError(f, x, grad, 6) < 1e-7);
        assertTrue(GradientCheck.maxRelativeError(f, x, grad, 1000, 7) < 1e-6);
    }
}
