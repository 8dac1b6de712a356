package featviz.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import featviz.UsageException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class MacoTransformsTest {

    @ParameterizedTest
    @CsvSource({"0.25, 0.5, 8, 1", "0.25, 0.5, 8, 2", "0.5, 1.0, 20, 3", "1.0, 1.0, 16, 4", "0.3, 0.6, 0, 5", "0.05, 0.1, 7, 6"})
    void cropBackwardIsTheAdjoint(double min, double max, int out, long seed) {
        double error = AdjointCheck.relativeError(new RandomCrop(min, max, out), seed, 2, 3, 16, 16);
        assertTrue(error < 1e-12, "adjoint error " + error);
    }

    @Test
    void noiseBackwardIsTheAdjointOfItsLinearPart() {
        double error = AdjointCheck.relativeError(new Noise(0.1), 3, 2, 3, 9, 7);
        assertTrue(error < 1e-12, "adjoint error " + error);
    }

    /** A nonlinear loss through the transform, against central differences in DOUBLE, the random draw held fixed. */
    @ParameterizedTest
    @CsvSource({"crop:0.25-0.5:8", "crop:0.5-1:12", "noise:0.05", "maco"})
    void gradientMatchesFiniteDifferences(String spec) {
        Transform t = new Compose(Transforms.parse(spec, 12 / 224.0));
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, 7, 1, 1, 16, 16);
        INDArray y = t.forward(x, new SplittableRandom(11));
        INDArray weights = GradientCheck.uniform(DataType.DOUBLE, 8, y.shape()).subi(0.5);
        INDArray grad = t.backward(y.mul(weights).muli(2));
        Function<INDArray, Double> f = p -> {
            INDArray o = t.forward(p, new SplittableRandom(11));
            return o.mul(o).muli(weights).sumNumber().doubleValue();
        };
        double error = GradientCheck.maxRelativeError(f, x, grad, 256, 3);
        assertTrue(error < 1e-6, spec + ": " + error);
    }

    @Test
    void cropsAreInsideTheImageResizedToTheirSizeAndVary() {
        RandomCrop crop = new RandomCrop(0.25, 0.5, 10);
        SplittableRandom random = new SplittableRandom(1);
        INDArray image = Nd4j.arange(40 * 40).castTo(DataType.DOUBLE).reshape(1, 1, 40, 40);
        java.util.Set<Double> firsts = new java.util.HashSet<>();
        for (int i = 0; i < 50; i++) {
            INDArray out = crop.forward(image, random);
            assertEquals(List.of(1L, 1L, 10L, 10L), java.util.Arrays.stream(out.shape()).boxed().toList());
            firsts.add(out.getDouble(0, 0, 0, 0));
            // the gradient lands inside a box of 10 to 20 pixels a side: it covers 100 to 400 pixels
            long touched = crop.backward(Nd4j.ones(DataType.DOUBLE, 1, 1, 10, 10)).gt(0).castTo(DataType.INT32).sumNumber().longValue();
            assertTrue(touched >= 100 && touched <= 400, "pixels reached " + touched);
        }
        assertTrue(firsts.size() > 20, "crops should move: " + firsts.size() + " distinct corners in 50");
    }

    @Test
    void noiseHasMacosSpreadAndIsTheSameForEveryImageOfABatch() {
        Noise noise = new Noise(0.1);
        INDArray zeros = Nd4j.zeros(DataType.DOUBLE, 2, 1, 100, 100);
        INDArray out = noise.forward(zeros, new SplittableRandom(4));
        // N(0, s) + U(-s/2, s/2): variance s^2 (1 + 1/12)
        assertEquals(0.1 * Math.sqrt(1 + 1 / 12.0), out.get(NDArrayIndex.point(0)).stdNumber().doubleValue(), 0.003);
        assertEquals(out.get(NDArrayIndex.point(0)), out.get(NDArrayIndex.point(1)));
    }

    @Test
    void macoItemsParseAndDescribeThemselves() {
        List<Transform> chain = Transforms.parse("maco", 28 / 224.0);
        assertEquals("crop:0.5-1:28,noise:0.04", new Compose(chain).describe());
        assertEquals(new Compose(chain).describe(), new Compose(Transforms.parse(new Compose(chain).describe())).describe());
        assertEquals("crop:0.3-0.3", new Compose(Transforms.parse("crop:0.3")).describe());
        for (String bad : new String[] {"crop:0-0.5", "crop:0.6-0.5", "crop:0.5-1.5", "noise:-1", "noise:2", "maco:3", "crop"}) {
            assertThrows(UsageException.class, () -> Transforms.parse(bad), bad);
        }
    }
}
