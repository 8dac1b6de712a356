package featviz.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import featviz.TestNets;
import featviz.model.op.Memory;
import featviz.model.op.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The network frees every activation and gradient at its last use, so its peak memory is what one pass
 * needs at once: checked by recording every array each op hands back, on a graph with BatchNorm, in-place
 * and standalone ReLUs, pooling, a residual add, a merge and a dense head.
 */
class NetworkMemoryTest {

    /** Wraps an op and keeps every array it returns. */
    private static final class Recording implements Op {
        final Op op;
        final List<INDArray> activations = new ArrayList<>();
        final List<INDArray> gradients = new ArrayList<>();

        Recording(Op op) {
            this.op = op;
        }

        @Override
        public INDArray forward(INDArray... inputs) {
            INDArray out = op.forward(inputs);
            activations.add(out);
            return out;
        }

        @Override
        public INDArray[] backward(INDArray gradOutput) {
            INDArray[] grads = op.backward(gradOutput);
            gradients.addAll(List.of(grads));
            return grads;
        }

        @Override
        public void clear() {
            op.clear();
        }

        @Override
        public String describe() {
            return op.describe();
        }
    }

    /** With recycling off, a released array is closed: its buffer is gone. */
    private static boolean released(INDArray a) {
        return a.wasClosed();
    }

    @org.junit.jupiter.api.AfterEach
    void recycleAgain() {
        Memory.recycling(true);
    }

    @Test
    void aSecondPassRecyclesEveryBufferOfTheFirst() {
        ComputationGraph graph = TestNets.residualGraph(3, DataType.DOUBLE, 16);
        GraphSpec spec = GraphSpec.of(graph.getConfiguration(), InputType.convolutional(16, 16, 3));
        List<String> taps = List.of("out", "act2");
        Network net = NetworkBuilder.build(spec, new LoadedWeights(graph, "test"), taps, DataType.DOUBLE);
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, 5, 2, 3, 16, 16);
        Map<String, INDArray> probes = NetworkGradientTest.randomProbes(net, x, taps, 11);
        INDArray[] grads = new INDArray[3];
        long[] created = new long[3];
        for (int pass = 0; pass < 3; pass++) {
            long before = Memory.buffersCreated();
            net.forward(x, taps);
            grads[pass] = net.backward(probes);
            net.clear();
            created[pass] = Memory.buffersCreated() - before;
        }
        assertTrue(created[0] > 10, "the first pass allocates its buffers: " + created[0]);
        assertEquals(0, created[1], "the second pass finds all of them in the pool");
        assertEquals(0, created[2]);
        assertEquals(0, grads[0].sub(grads[2]).amaxNumber().doubleValue(), 0, "recycled buffers change nothing");
    }

    @Test
    void backwardFreesEverythingButTheTappedActivationsAndClearFreesThose() {
        Memory.recycling(false);
        ComputationGraph graph = TestNets.residualGraph(3, DataType.DOUBLE, 16);
        GraphSpec spec = GraphSpec.of(graph.getConfiguration(), InputType.convolutional(16, 16, 3));
        List<String> taps = List.of("out", "act2");
        Network plain = NetworkBuilder.build(spec, new LoadedWeights(graph, "test"), taps, DataType.DOUBLE);
        int freed = assertFreedAtLastUse(plain, taps, GradientCheck.uniform(DataType.DOUBLE, 5, 2, 3, 16, 16));
        assertTrue(freed > 20, "freed " + freed);
    }

    /** The same for every layer type of users' files ({@link LayerCatalogueTest}'s networks). */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("featviz.model.LayerCatalogueTest#cases")
    void everyLayerTypeFreesItsArraysAtLastUse(LayerCatalogueTest.Case c) {
        Memory.recycling(false);
        Network plain = LayerCatalogueTest.network(LayerCatalogueTest.graph(c), DataType.DOUBLE);
        int size = LayerCatalogueTest.SIZE;
        int freed = assertFreedAtLastUse(plain, List.of("t"), GradientCheck.uniform(DataType.DOUBLE, 5, 2, 3, size, size));
        assertTrue(freed >= 1, "freed " + freed);
    }

    /**
     * Runs a pass through a recording copy of {@code plain}: every activation and gradient the ops returned
     * is freed by backward except the tapped activations, which clear() frees. Returns how many were freed.
     */
    private static int assertFreedAtLastUse(Network plain, List<String> taps, INDArray x) {
        List<Network.Node> nodes = new ArrayList<>();
        List<Recording> recordings = new ArrayList<>();
        for (Network.Node n : plain.nodes()) {
            Recording r = new Recording(n.op());
            recordings.add(r);
            nodes.add(new Network.Node(n.name(), r, n.inputs()));
        }
        Network net = new Network(nodes, DataType.DOUBLE);
        Map<String, INDArray> probes = NetworkGradientTest.randomProbes(plain, x, taps, 11);
        Map<String, INDArray> given = new java.util.LinkedHashMap<>();
        probes.forEach((k, v) -> given.put(k, v.dup()));
        INDArray expected = plain.backward(probes);

        Map<String, INDArray> acts = net.forward(x, taps);
        INDArray[] tapped = acts.values().toArray(INDArray[]::new);
        INDArray grad = net.backward(given);

        assertEquals(0, expected.sub(grad).amaxNumber().doubleValue(), 1e-12, "the gradient survives the freeing");
        int freed = 0;
        for (Recording r : recordings) {
            for (INDArray a : r.activations) {
                if (a == x || Memory.sharesBuffer(a, tapped)) {
                    assertFalse(released(a), "a tapped activation is freed only by clear()");
                } else {
                    assertTrue(released(a) || a.isView(), r.describe() + ": activation not freed");
                    freed++;
                }
            }
            for (INDArray g : r.gradients) {
                if (!Memory.sharesBuffer(g, given.values().toArray(INDArray[]::new))) {
                    assertTrue(released(g) || g.isView(), r.describe() + ": gradient not freed");
                    freed++;
                }
            }
        }
        given.values().forEach(g -> assertFalse(g.wasClosed(), "the caller's gradients are the caller's"));

        net.clear();
        for (INDArray a : tapped) {
            assertTrue(released(a), "clear() frees the tapped activations");
        }
        assertFalse(x.wasClosed() || grad.wasClosed());
        return freed;
    }
}
