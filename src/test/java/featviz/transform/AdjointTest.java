package featviz.transform;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** backward is the exact adjoint of forward for every transform and a range of fixed draws. */
class AdjointTest {
    static Stream<Arguments> transforms() {
        Stream.Builder<Arguments> cases = Stream.builder();
        cases.add(Arguments.of(new Pad(3, 0.5), 1L));
        cases.add(Arguments.of(new Pad(0, 0.5), 1L));
        for (long seed = 1; seed <= 4; seed++) {
            cases.add(Arguments.of(new Jitter(4), seed));
        }
        cases.add(Arguments.of(new Jitter(0), 1L));
        for (double factor : new double[] {0.5, 0.9, 0.98, 1.0, 1.02, 1.1, 1.37, 2.0}) {
            cases.add(Arguments.of(new RandomScale(new double[] {factor}), 1L));
        }
        for (double angle : new double[] {-10, -3, 7, 33.3, 45, 90, 180, 0}) {
            cases.add(Arguments.of(new RandomRotate(new double[] {angle}), 1L));
        }
        for (long seed = 1; seed <= 4; seed++) {
            cases.add(Arguments.of(new Compose(StandardTransforms.lucid()), seed));
        }
        return cases.build();
    }

    @ParameterizedTest(name = "{0} draw {1}")
    @MethodSource("transforms")
    void backwardIsTheAdjoint(Transform transform, long seed) {
        // odd, non-square, batch of 2: every index mix-up shows
        double err = AdjointCheck.relativeError(transform, seed, 2, 3, 27, 30);
        assertTrue(err < 1e-10, transform.describe() + ": relative error " + err);
    }

    /** Grey (1-channel) and 4-channel images: the same adjoint, and each channel transformed on its own. */
    @ParameterizedTest(name = "{0} draw {1}")
    @MethodSource("transforms")
    void anyChannelCountIsTransformedChannelByChannel(Transform transform, long seed) {
        for (long channels : new long[] {1, 4}) {
            double err = AdjointCheck.relativeError(transform, seed, 2, channels, 27, 30);
            assertTrue(err < 1e-10, transform.describe() + " at " + channels + " channels: relative error " + err);
        }
        INDArray four = featviz.GradientCheck.uniform(DataType.DOUBLE, seed + 7, 2, 4, 27, 30);
        INDArray together = transform.forward(four, new SplittableRandom(seed)).dup();
        for (int c = 0; c < 4; c++) {
            INDArray one = four.get(NDArrayIndex.all(), NDArrayIndex.interval(c, c + 1)).dup();
            INDArray alone = transform.forward(one, new SplittableRandom(seed));
            INDArray part = together.get(NDArrayIndex.all(), NDArrayIndex.interval(c, c + 1));
            assertTrue(part.equalsWithEps(alone, 1e-12), transform.describe() + ": channel " + c + " differs");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transforms")
    void describeParsesBack(Transform transform, long seed) {
        List<Transform> parsed = Transforms.parse(transform.describe());
        assertTrue(new Compose(parsed).describe().equals(transform.describe()),
                transform.describe() + " came back as " + new Compose(parsed).describe());
    }
}
