package featviz.transform;

import featviz.GradientCheck;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The dot-product test of a transform's backward against its forward, with the random draw held fixed. */
final class AdjointCheck {
    private AdjointCheck() {
    }

    /**
     * |<T x - T 0, y> - <x, T* y>| relative to the larger side, for random x and y in double. T 0 is
     * subtracted so that affine transforms (a constant border) are checked on their linear part.
     */
    static double relativeError(Transform t, long drawSeed, long... inputShape) {
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, drawSeed + 100, inputShape).subi(0.5);
        INDArray offset = t.forward(Nd4j.zeros(DataType.DOUBLE, inputShape), new SplittableRandom(drawSeed)).dup();
        INDArray tx = t.forward(x, new SplittableRandom(drawSeed));
        INDArray y = GradientCheck.uniform(DataType.DOUBLE, drawSeed + 200, tx.shape()).subi(0.5);
        INDArray adjoint = t.backward(y);
        double lhs = tx.sub(offset).mul(y).sumNumber().doubleValue();
        double rhs = x.mul(adjoint).sumNumber().doubleValue();
        return Math.abs(lhs - rhs) / Math.max(Math.max(Math.abs(lhs), Math.abs(rhs)), 1e-300);
    }
}
