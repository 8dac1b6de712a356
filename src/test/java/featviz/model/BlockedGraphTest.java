package featviz.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import featviz.model.op.Op;
import featviz.model.op.Precision;
import featviz.model.op.ReluRedirect;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Regions of convolutions, ReLUs, max pools and residual sums computed in oneDNN's blocked layouts
 * ({@link BlockedGraph}): made only where nothing outside reads the inner outputs, and computing what the same ops
 * compute node by node, forward and backward, at several input and batch sizes, with channel counts that do not
 * fill oneDNN's blocks of 16, with a residual block (a sum, an output read twice), in bf16 too, and with Lucid's
 * redirected ReLU gradient.
 */
class BlockedGraphTest {
    static final int SIZE = 18;

    /**
     * A VGG-like chain: two 3x3 convolutions with their ReLUs (20 and 17 channels), a 2x2 max pool, a lone ReLU
     * after it, a same-mode 3x3/2 convolution without activation, a dilated 3x3 convolution with its ReLU, a 3x3/2
     * max pool, and a last 1x1 convolution with its ReLU ("top"). Zero biases, so a black image is dead everywhere.
     */
    static ComputationGraph chain() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(11).dataType(DataType.DOUBLE)
                .weightInit(WeightInit.RELU).convolutionMode(ConvolutionMode.Truncate)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(SIZE, SIZE, 3))
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(20).activation(Activation.RELU).build(), "in")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(17).activation(Activation.RELU).build(), "c1")
                .addLayer("p1", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX, new int[] {2, 2}, new int[] {2, 2}).build(), "c2")
                .addLayer("a1", new ActivationLayer.Builder().activation(Activation.RELU).build(), "p1")
                .addLayer("c3", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(24).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).build(), "a1")
                .addLayer("c4", new ConvolutionLayer.Builder(3, 3).dilation(2, 2).padding(2, 2).nOut(9)
                        .activation(Activation.RELU).build(), "c3")
                .addLayer("p2", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX, new int[] {3, 3}, new int[] {2, 2})
                        .padding(1, 1).build(), "c4")
                .addLayer("top", new ConvolutionLayer.Builder(1, 1).nOut(5).activation(Activation.RELU).build(), "p2")
                .setOutputs("top")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /**
     * Two residual blocks as ResNet's: an identity shortcut and a projected one, BatchNorms to fold, each sum
     * followed by its ReLU (fused into the sum), each block input read twice; a 1x1 convolution "top" after them.
     */
    static ComputationGraph residual() {
        var b = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE).weightInit(WeightInit.RELU)
                .convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(SIZE, SIZE, 3))
                .addLayer("c0", new ConvolutionLayer.Builder(3, 3).nOut(16).activation(Activation.RELU).build(), "in");
        String in = "c0";
        for (int k = 1; k <= 2; k++) {
            b.addLayer("a" + k, new ConvolutionLayer.Builder(1, 1).nOut(8).activation(Activation.IDENTITY).build(), in)
                    .addLayer("bna" + k, new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().build(), "a" + k)
                    .addLayer("acta" + k, new ActivationLayer.Builder().activation(Activation.RELU).build(), "bna" + k)
                    .addLayer("b" + k, new ConvolutionLayer.Builder(3, 3).nOut(k == 1 ? 16 : 24)
                            .activation(Activation.IDENTITY).build(), "acta" + k)
                    .addLayer("bnb" + k, new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().build(), "b" + k);
            String shortcut = in;
            if (k == 2) {
                b.addLayer("s2", new ConvolutionLayer.Builder(1, 1).nOut(24).activation(Activation.IDENTITY).build(), in)
                        .addLayer("bns2", new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().build(), "s2");
                shortcut = "bns2";
            }
            b.addVertex("add" + k, new org.deeplearning4j.nn.conf.graph.ElementWiseVertex(
                    org.deeplearning4j.nn.conf.graph.ElementWiseVertex.Op.Add), "bnb" + k, shortcut)
                    .addLayer("r" + k, new ActivationLayer.Builder().activation(Activation.RELU).build(), "add" + k);
            in = "r" + k;
        }
        ComputationGraph graph = new ComputationGraph(b
                .addLayer("top", new ConvolutionLayer.Builder(1, 1).nOut(5).activation(Activation.RELU).build(), in)
                .setOutputs("top").build());
        graph.init();
        org.nd4j.linalg.api.rng.Random rng = org.nd4j.linalg.factory.Nd4j.getRandomFactory().getNewRandomInstance(3);
        for (String bn : new String[] {"bna1", "bnb1", "bna2", "bnb2", "bns2"}) {
            var layer = graph.getLayer(bn);
            layer.getParam("mean").assign(org.nd4j.linalg.factory.Nd4j.rand(rng, layer.getParam("mean").shape()).subi(0.5));
            layer.getParam("gamma").assign(org.nd4j.linalg.factory.Nd4j.rand(rng, layer.getParam("gamma").shape()).addi(0.5));
            layer.getParam("beta").assign(org.nd4j.linalg.factory.Nd4j.rand(rng, layer.getParam("beta").shape()).subi(0.5));
        }
        return graph;
    }

    static Network build(ComputationGraph graph, int size, List<String> targets, boolean blocked) {
        String before = System.getProperty(Fusion.BLOCKED_PROPERTY);
        System.setProperty(Fusion.BLOCKED_PROPERTY, Boolean.toString(blocked));
        try {
            GraphSpec spec = GraphSpec.of(graph.getConfiguration(), InputType.convolutional(size, size, 3));
            return NetworkBuilder.build(spec, new LoadedWeights(graph, "test"), targets, DataType.FLOAT);
        } finally {
            if (before == null) {
                System.clearProperty(Fusion.BLOCKED_PROPERTY);
            } else {
                System.setProperty(Fusion.BLOCKED_PROPERTY, before);
            }
        }
    }

    static Op op(Network net, String node) {
        return net.nodes().stream().filter(n -> n.name().equals(node)).findFirst().orElseThrow().op();
    }

    static INDArray image(long seed, int images, int size) {
        return GradientCheck.uniform(DataType.FLOAT, seed, images, 3, size, size).subi(0.5).muli(4);
    }

    /** The largest difference relative to the largest magnitude of {@code expected}. */
    static double relative(INDArray expected, INDArray actual) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()));
        double scale = expected.amaxNumber().doubleValue();
        assertTrue(scale > 1e-3, "a zero reference proves nothing");
        return expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue() / scale;
    }

    /** The targets' outputs and the input gradient for random probes (the same seeds for both networks). */
    static INDArray[] pass(Network net, INDArray x, List<String> targets) {
        return pass(net, x, targets, false);
    }

    /** The same, checking that every run ran blocked, or op by op while the ReLU gradients are redirected. */
    static INDArray[] pass(Network net, INDArray x, List<String> targets, boolean redirected) {
        Map<String, INDArray> out = net.forward(x, targets);
        for (boolean blocked : net.ranBlocked()) {
            assertEquals(!redirected, blocked, "ran blocked");
        }
        INDArray[] result = new INDArray[targets.size() + 1];
        Map<String, INDArray> probes = new java.util.LinkedHashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            result[i] = out.get(targets.get(i)).dup();
            probes.put(targets.get(i), GradientCheck.uniform(DataType.FLOAT, 100 + i, result[i].shape()).subi(0.3));
        }
        result[targets.size()] = net.backward(probes);
        net.clear();
        return result;
    }

    @Test
    void regionsAreMadeOnlyWhereNothingOutsideReadsTheInnerOutputs() {
        Network chain = build(chain(), SIZE, List.of("top"), true);
        assertEquals(List.of(List.of("c1", "c2", "p1", "a1", "c3", "c4", "p2")), chain.blockedRegions());
        assertThrows(IllegalArgumentException.class, () -> chain.forward(image(1, 1, SIZE), List.of("c2")));

        Network cut = build(chain(), SIZE, List.of("c3", "top"), true);
        assertEquals(List.of(List.of("c1", "c2", "p1", "a1"), List.of("c4", "p2")), cut.blockedRegions(),
                "a target ends a region, and another starts after it");

        Network residual = build(FusionTest.graph(false), FusionTest.SIZE, List.of("out"), true);
        assertEquals(List.of(List.of("conv1", "bn1", "act1", "conv2a", "bn2a", "act2a", "conv2b", "bn2b", "conv2s",
                "bn2s", "add")), residual.blockedRegions(), "the whole residual block, up to the target's input");
        Network blocks = build(residual(), SIZE, List.of("top"), true);
        assertEquals(1, blocks.blockedRegions().size());
        assertEquals("c0", blocks.blockedRegions().get(0).get(0));
        assertEquals("r2", blocks.blockedRegions().get(0).get(blocks.blockedRegions().get(0).size() - 1),
                "both blocks, the last ReLU included");
        Network side = build(FusionTest.graph(true), FusionTest.SIZE, List.of("out", "side"), true);
        assertEquals(List.of(List.of("conv1", "bn1", "act1"), List.of("conv2a", "bn2a", "act2a", "conv2b", "bn2b")),
                side.blockedRegions(), "bn2s is read by the target side too, so neither it nor the sum can join, and "
                        + "act1 is read by conv2s outside: two regions");
    }

    @Test
    void blockedComputesWhatTheOpsComputeOneByOne() {
        ComputationGraph chain = chain();
        ComputationGraph residual = FusionTest.graph(false);
        ComputationGraph blocks = residual();
        List<String> chainTargets = List.of("top");
        List<String> cutTargets = List.of("c3", "top");
        List<String> residualTargets = List.of("out");
        Network[] blocked = {build(chain, SIZE, chainTargets, true), build(chain, SIZE, cutTargets, true),
            build(residual, FusionTest.SIZE, residualTargets, true), build(blocks, SIZE, chainTargets, true)};
        Network[] oneByOne = {build(chain, SIZE, chainTargets, false), build(chain, SIZE, cutTargets, false),
            build(residual, FusionTest.SIZE, residualTargets, false), build(blocks, SIZE, chainTargets, false)};
        List<List<String>> targets = List.of(chainTargets, cutTargets, residualTargets, chainTargets);
        for (Network net : blocked) {
            assertTrue(!net.blockedRegions().isEmpty());
        }
        int[][] sizes = {{18, 1}, {21, 3}, {16, 2}, {18, 1}}; // a size again: its kept plan
        for (int n = 0; n < blocked.length; n++) {
            for (int[] s : sizes) {
                int size = n == 2 ? s[0] - 6 : s[0];
                INDArray x = image(size * 10L + s[1], s[1], size);
                INDArray[] expected = pass(oneByOne[n], x, targets.get(n));
                INDArray[] actual = pass(blocked[n], x, targets.get(n));
                for (int i = 0; i < expected.length; i++) {
                    double err = relative(expected[i], actual[i]);
                    assertTrue(err < 2e-5, "network " + n + " at " + size + " x" + s[1] + ", output " + i + ": " + err);
                }
            }
        }
    }

    @Test
    void aBlockedPassHandsEveryBufferBack() {
        Network net = build(residual(), SIZE, List.of("top"), true);
        INDArray x = image(3, 2, SIZE);
        pass(net, x, List.of("top"));
        pass(net, x, List.of("top"));
        long created = featviz.model.op.Memory.buffersCreated();
        for (int i = 0; i < 4; i++) {
            pass(net, x, List.of("top"));
        }
        assertEquals(created, featviz.model.op.Memory.buffersCreated(), "passes after the first reuse its buffers");
    }

    @Test
    void blockedMatchesDl4j() {
        ComputationGraph graph = chain();
        Network net = build(graph, SIZE, List.of("c3", "top"), true);
        INDArray x = image(4, 2, SIZE);
        Map<String, INDArray> ours = net.forward(x, List.of("c3", "top"));
        for (String layer : new String[] {"c3", "top"}) {
            INDArray expected = graph.output(List.of(layer), false, new INDArray[] {x.castTo(DataType.DOUBLE)}, null)[0];
            double err = relative(expected, ours.get(layer));
            assertTrue(err < 1e-5, layer + " differs from DL4J by " + err);
        }
        net.clear();
    }

    @Test
    void redirectedStepsGetLucidsGradientToo() {
        ComputationGraph graph = chain();
        Network blocked = build(graph, SIZE, List.of("top"), true);
        Network oneByOne = build(graph, SIZE, List.of("top"), false);
        INDArray x = image(9, 2, SIZE);
        x.slice(1).assign(0); // a black image: every ReLU closed, its true gradient zero
        INDArray expected;
        INDArray actual;
        try (ReluRedirect.Scope ignored = ReluRedirect.during()) {
            expected = pass(oneByOne, x, List.of("top"), true)[1];
            actual = pass(blocked, x, List.of("top"), true)[1];
        }
        assertTrue(expected.slice(1).amaxNumber().doubleValue() > 0, "the redirect revives the black image");
        assertTrue(relative(expected, actual) < 2e-5);
        INDArray plain = pass(blocked, x, List.of("top"))[1];
        assertEquals(0.0, plain.slice(1).amaxNumber().doubleValue(), "and only while it is on");
    }

    @Test
    void bf16RunsMatchBf16OpsOneByOne() {
        Assumptions.assumeTrue(Precision.BF16.unavailableReason() == null, "no bf16 here");
        ComputationGraph graph = chain();
        Network blocked = build(graph, SIZE, List.of("top"), true);
        Network oneByOne = build(graph, SIZE, List.of("top"), false);
        ConvolutionPrecision.apply(blocked, Precision.BF16);
        ConvolutionPrecision.apply(oneByOne, Precision.BF16);
        Network fp32 = build(graph, SIZE, List.of("top"), true);
        INDArray x = image(21, 2, SIZE);
        INDArray[] expected = pass(oneByOne, x, List.of("top"));
        INDArray[] actual = pass(blocked, x, List.of("top"));
        INDArray[] single = pass(fp32, x, List.of("top"));
        for (int i = 0; i < expected.length; i++) {
            assertTrue(relative(expected[i], actual[i]) < 2e-5, "output " + i + ": " + relative(expected[i], actual[i]));
            assertTrue(relative(single[i], actual[i]) > 1e-4, "bf16 really ran: " + relative(single[i], actual[i]));
        }
    }
}
