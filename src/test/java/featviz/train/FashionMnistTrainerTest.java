package featviz.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.UsageException;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.schedule.MapSchedule;

/** The trainer's two architectures (names users type, any input size) and its learning-rate schedule. */
class FashionMnistTrainerTest {
    private static ComputationGraph net(String arch) {
        FashionMnistTrainer.Options o = FashionMnistTrainer.Options.parse(new String[] {"--arch", arch, "--epochs", "1"});
        ComputationGraph net = new ComputationGraph(FashionMnistTrainer.configuration(o, 60000));
        net.init();
        return net;
    }

    @Test
    void bothArchitecturesTakeAnyInputSizeAndNameTheirLayers() {
        for (String arch : List.of("a", "b")) {
            ComputationGraph net = net(arch);
            for (String v : List.of("input", "conv1", "bn1", "relu1", "conv5", "bn5", "relu5", "gap", "predictions")) {
                assertTrue(net.getConfiguration().getVertices().containsKey(v) || v.equals("input"), arch + " has " + v);
            }
            assertEquals(List.of("input"), net.getConfiguration().getNetworkInputs());
            for (int size : new int[] {28, 44}) {
                INDArray out = net.output(Nd4j.rand(DataType.FLOAT, 2, 1, size, size))[0];
                assertArrayEquals(new long[] {2, 10}, out.shape());
                assertEquals(2.0, out.sumNumber().doubleValue(), 1e-4); // softmax rows
            }
        }
        assertEquals(280_138, net("a").numParams());
        assertEquals(158_266, net("b").numParams());
    }

    @Test
    void scheduleWarmsUpThenDecaysToOnePercent() {
        MapSchedule s = FashionMnistTrainer.schedule(0.003, 1000);
        assertTrue(s.valueAt(0, 0) < s.valueAt(40, 0));
        assertEquals(0.003, s.valueAt(40, 0), 1e-4);
        for (int it = 60; it < 1000; it += 20) {
            assertTrue(s.valueAt(it, 0) <= s.valueAt(it - 20, 0), "decays at " + it);
        }
        assertEquals(0.00003, s.valueAt(999, 0), 0.00003);
    }

    @Test
    void augmentationShiftsAndFlipsWithoutChangingValues() {
        INDArray x = Nd4j.arange(2 * 5 * 5).castTo(DataType.FLOAT).reshape(2, 1, 5, 5);
        INDArray y = Augment.shiftAndFlip(x, new Random(3), 1);
        assertArrayEquals(x.shape(), y.shape());
        for (int k = 0; k < 2; k++) {
            // every value of the result is 0 (filled) or a pixel of the same image
            for (float v : y.get(org.nd4j.linalg.indexing.NDArrayIndex.point(k)).dup().data().asFloat()) {
                assertTrue(v == 0 || (v >= 25 * k && v < 25 * (k + 1)), "value " + v + " in image " + k);
            }
        }
        assertThrows(UsageException.class, () -> FashionMnistTrainer.Options.parse(new String[] {"--epochs"}));
        assertThrows(UsageException.class, () -> FashionMnistTrainer.Options.parse(new String[] {"--bogus", "1"}));
    }
}
