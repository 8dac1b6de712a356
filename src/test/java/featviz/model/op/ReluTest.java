package featviz.model.op;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import featviz.GradientCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * ReLU in float (oneDNN's element-wise primitives on the CPU) and double (libnd4j), in place and not: the
 * forward pass is max(x, 0) exactly, and the gradient passes where the output is positive and is zero
 * elsewhere, element by element, on sizes that are not multiples of a vector register.
 */
class ReluTest {
    @ParameterizedTest
    @CsvSource({"FLOAT, true", "FLOAT, false", "DOUBLE, true", "DOUBLE, false"})
    void forwardIsMaxWithZeroAndTheGradientPassesWhereTheOutputIsPositive(DataType type, boolean inPlace) {
        Relu relu = new Relu(inPlace);
        for (long[] shape : new long[][] {{2, 3, 7, 5}, {1, 17, 9, 9}, {2, 3, 7, 5}}) {
            INDArray x = GradientCheck.uniform(type, shape[1], shape).subi(0.5);
            x.putScalar(0, 0.0); // zero itself: no gradient (the output is not positive)
            INDArray expected = Transforms.max(x, 0.0, true);
            INDArray input = x.dup();
            INDArray y = relu.forward(input);
            if (inPlace) {
                assertSame(input, y);
            } else {
                assertNotSame(input, y);
                assertEquals(x, input, "the input is left alone");
            }
            assertEquals(0.0, expected.sub(y).amaxNumber().doubleValue(), 0.0, "forward");
            INDArray grad = GradientCheck.uniform(type, 100 + shape[1], shape).addi(1);
            INDArray expectedGrad = grad.mul(x.gt(0).castTo(type));
            INDArray masked = relu.backward(grad)[0];
            assertEquals(0.0, expectedGrad.sub(masked).amaxNumber().doubleValue(), 0.0, "backward");
            relu.clear();
        }
    }
}
