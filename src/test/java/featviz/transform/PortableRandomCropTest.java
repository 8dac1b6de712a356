package featviz.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import featviz.model.op.PortableOps;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MACO's crop on the portable path resizes with {@link ResizeProducts} (matrix products) instead of the host
 * sampler, and is the same map: forward and backward equal the CPU path's for the same draws, in double.
 */
class PortableRandomCropTest {

    /** {output, gradient w.r.t. the input} of one crop, on the path asked for. */
    private static INDArray[] crop(boolean portable, double min, double max, int out, long seed, INDArray x) {
        String before = System.getProperty(PortableOps.PROPERTY);
        System.setProperty(PortableOps.PROPERTY, portable ? "portable" : "native");
        try {
            RandomCrop crop = new RandomCrop(min, max, out);
            INDArray y = crop.forward(x, new SplittableRandom(seed));
            INDArray g = GradientCheck.uniform(DataType.DOUBLE, seed + 100, y.shape()).subi(0.5);
            return new INDArray[] {y, crop.backward(g)};
        } finally {
            if (before == null) {
                System.clearProperty(PortableOps.PROPERTY);
            } else {
                System.setProperty(PortableOps.PROPERTY, before);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"0.25, 0.5, 8, 1", "0.25, 0.5, 8, 2", "0.5, 1.0, 20, 3", "0.05, 0.1, 7, 6", "0.3, 0.6, 14, 9"})
    void portableCropIsTheHostCrop(double min, double max, int out, long seed) {
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, seed, 2, 3, 16, 16);
        INDArray[] host = crop(false, min, max, out, seed, x);
        INDArray[] portable = crop(true, min, max, out, seed, x);
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(host[i].shape(), portable[i].shape());
            double error = host[i].sub(portable[i]).amaxNumber().doubleValue() / host[i].amaxNumber().doubleValue();
            assertTrue(error < 1e-12, (i == 0 ? "forward " : "backward ") + error);
        }
    }
}
