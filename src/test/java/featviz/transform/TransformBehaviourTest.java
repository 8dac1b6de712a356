package featviz.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import featviz.UsageException;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** What each transform does to a picture, beyond being linear with an exact adjoint. */
class TransformBehaviourTest {
    private static INDArray image(long seed, long... shape) {
        return GradientCheck.uniform(DataType.DOUBLE, seed, shape);
    }

    @Test
    void padSurroundsTheImageWithTheValue() {
        INDArray x = image(1, 2, 3, 5, 4);
        INDArray out = new Pad(2, 0.5).forward(x, new SplittableRandom(0));
        assertArrayEquals(new long[] {2, 3, 9, 8}, out.shape());
        assertEquals(x, out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(2, 7),
                NDArrayIndex.interval(2, 6)));
        assertEquals(0.5, out.getDouble(1, 2, 0, 7), 0);
        assertEquals(0.5, out.getDouble(0, 1, 8, 3), 0);
        assertEquals((9 * 8 - 5 * 4) * 0.5 * 2 * 3 + x.sumNumber().doubleValue(), out.sumNumber().doubleValue(), 1e-9);
    }

    @Test
    void jitterCropsAtEveryOffsetUpToItsSize() {
        INDArray x = image(2, 1, 3, 10, 12);
        Set<String> offsets = new HashSet<>();
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 200; i++) {
            INDArray out = new Jitter(3).forward(x, random);
            assertArrayEquals(new long[] {1, 3, 7, 9}, out.shape());
            String found = null;
            for (int oy = 0; oy <= 3; oy++) {
                for (int ox = 0; ox <= 3; ox++) {
                    if (x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(oy, oy + 7),
                            NDArrayIndex.interval(ox, ox + 9)).equals(out)) {
                        found = oy + "," + ox;
                    }
                }
            }
            assertTrue(found != null, "not a crop of the input");
            offsets.add(found);
        }
        assertEquals(16, offsets.size(), "offsets seen: " + offsets);
    }

    @Test
    void jitterLargerThanTheImageIsAUsageError() {
        UsageException e = assertThrows(UsageException.class,
                () -> new Jitter(8).forward(image(1, 1, 3, 8, 20), new SplittableRandom(0)));
        assertTrue(e.getMessage().contains("jitter:8"), e.getMessage());
    }

    @Test
    void scaleResizesBilinearlyToTheTruncatedSize() {
        // a ramp along x, the same in every row: doubling interpolates it between pixel centres
        INDArray ramp = Nd4j.zeros(DataType.DOUBLE, 1, 3, 4, 5);
        for (int x = 0; x < 5; x++) {
            ramp.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(x)).assign(x);
        }
        INDArray out = new RandomScale(new double[] {2}).forward(ramp, new SplittableRandom(0));
        assertArrayEquals(new long[] {1, 3, 8, 10}, out.shape());
        double[] expected = {0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3.25, 3.75, 4};
        for (int x = 0; x < 10; x++) {
            assertEquals(expected[x], out.getDouble(0, 1, 5, x), 1e-12, "x=" + x);
        }
        INDArray small = new RandomScale(new double[] {0.98}).forward(image(3, 1, 3, 50, 50), new SplittableRandom(0));
        assertArrayEquals(new long[] {1, 3, 49, 49}, small.shape());
        INDArray grey = Nd4j.valueArrayOf(new long[] {1, 3, 20, 20}, 0.5, DataType.DOUBLE);
        INDArray shrunk = new RandomScale(new double[] {0.9}).forward(grey, new SplittableRandom(0));
        assertEquals(0, shrunk.sub(0.5).amaxNumber().doubleValue(), 1e-14);
    }

    @Test
    void unitScaleAndZeroAnglePassTheImageThrough() {
        INDArray x = image(4, 1, 3, 9, 9);
        assertSame(x, new RandomScale(new double[] {1}).forward(x, new SplittableRandom(0)));
        assertSame(x, new RandomRotate(new double[] {0}).forward(x, new SplittableRandom(0)));
        assertSame(x, new RandomRotate(new double[] {-360}).forward(x, new SplittableRandom(0)));
    }

    @Test
    void quarterTurnIsCounterclockwiseAsDisplayed() {
        for (int n : new int[] {6, 7}) {
            INDArray x = image(5, 2, 3, n, n);
            INDArray out = new RandomRotate(new double[] {90}).forward(x, new SplittableRandom(0));
            for (int y = 0; y < n; y++) {
                for (int col = 0; col < n; col++) {
                    // the top-right corner goes to the top-left
                    assertEquals(x.getDouble(1, 2, col, n - 1 - y), out.getDouble(1, 2, y, col), 1e-12);
                }
            }
        }
    }

    @Test
    void rotationLeavesZerosWhereThePictureDoesNotReach() {
        INDArray grey = Nd4j.valueArrayOf(new long[] {1, 3, 21, 21}, 0.5, DataType.DOUBLE);
        INDArray out = new RandomRotate(new double[] {45}).forward(grey, new SplittableRandom(0));
        assertEquals(0.5, out.getDouble(0, 0, 10, 10), 1e-12);
        assertEquals(0.0, out.getDouble(0, 0, 0, 0), 0);
        assertEquals(0.5, out.getDouble(0, 0, 10, 1), 1e-12); // on the axis, well inside the turned square
    }

    @Test
    void lucidChainHasLucidsSizesAndRepeatsWithTheSeed() {
        INDArray x = image(6, 2, 3, 32, 32);
        Compose lucid = new Compose(StandardTransforms.lucid());
        Set<Long> sizes = new HashSet<>();
        for (long seed = 0; seed < 40; seed++) {
            INDArray out = lucid.forward(x, new SplittableRandom(seed));
            assertEquals(out.size(2), out.size(3));
            sizes.add(out.size(2));
            assertEquals(out, lucid.forward(x, new SplittableRandom(seed)).dup());
        }
        // 32 + 24 - 8 = 48, scaled to floor(0.9 * 48) = 43 .. floor(1.1 * 48) = 52, minus 4
        assertTrue(sizes.stream().allMatch(s -> s >= 39 && s <= 48), "sizes " + sizes);
        assertTrue(sizes.size() > 4, "sizes " + sizes);
        assertNotEquals(lucid.forward(x, new SplittableRandom(1)).dup(), lucid.forward(x, new SplittableRandom(2)));
    }

    @Test
    void floatImagesStayFloat() {
        INDArray x = image(7, 1, 3, 24, 24).castTo(DataType.FLOAT);
        Compose lucid = new Compose(StandardTransforms.lucid());
        for (long seed = 0; seed < 5; seed++) {
            INDArray out = lucid.forward(x, new SplittableRandom(seed));
            assertEquals(DataType.FLOAT, out.dataType());
            INDArray back = lucid.backward(out);
            assertEquals(DataType.FLOAT, back.dataType());
            assertArrayEquals(x.shape(), back.shape());
        }
    }
}
