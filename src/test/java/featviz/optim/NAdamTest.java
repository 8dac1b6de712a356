package featviz.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NAdamTest {

    @Test
    void theMomentumScheduleIsDozats() {
        // mu_t = 0.9 (1 - 0.5 * 0.96^(0.004 t)): just above 0.45 at the start, towards 0.9 over many thousand steps
        assertEquals(0.9 * (1 - 0.5 * Math.pow(0.96, 0.004)), NAdam.mu(1), 1e-15);
        assertTrue(NAdam.mu(1) > 0.45 && NAdam.mu(1) < 0.4501);
        assertTrue(NAdam.mu(100_000) > 0.89);
    }

    @Test
    void theFirstStepIsTheLearningRateTimesTheNesterovFactor() {
        // m1 = 0.1 g, v1 = 0.001 g^2: the bias-corrected v is g^2, so each coordinate moves by
        // lr * sign(g) * (0.1 mu2 / (1 - mu1 mu2) + (1 - mu1) / (1 - mu1)) = lr * sign(g) * (1 + 0.1 mu2 / (1 - mu1 mu2))
        INDArray x = Nd4j.zeros(DataType.DOUBLE, 3);
        new NAdam(0.5).step(x, Nd4j.create(new double[] {2.0, -0.001, 30.0}));
        double mu1 = NAdam.mu(1);
        double mu2 = NAdam.mu(2);
        double move = 0.5 * (1 + 0.1 * mu2 / (1 - mu1 * mu2));
        assertEquals(move, x.getDouble(0), 1e-6);
        assertEquals(-move, x.getDouble(1), 1e-4); // eps 1e-8 against |g| 1e-3
        assertEquals(move, x.getDouble(2), 1e-6);
    }

    @Test
    void itClimbsToTheMaximumOfAConcaveFunction() {
        // f(x) = -sum (x - target)^2 / 2 per coordinate, gradient target - x; coordinates are independent
        INDArray target = Nd4j.create(new double[] {3.0, -2.0, 0.5, 10.0});
        INDArray x = Nd4j.zeros(DataType.DOUBLE, 4);
        NAdam nadam = new NAdam(0.1);
        for (int t = 0; t < 2000; t++) {
            nadam.step(x, target.sub(x));
        }
        assertTrue(x.sub(target).amaxNumber().doubleValue() < 1e-2, x.toString());
    }
}
