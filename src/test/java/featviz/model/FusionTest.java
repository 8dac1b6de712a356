package featviz.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import featviz.model.op.ChannelAffine;
import featviz.model.op.Conv2d;
import featviz.model.op.Identity;
import featviz.model.op.Op;
import featviz.model.op.Relu;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BatchNorm folded into the convolution before it, and standalone ReLUs working in place: the fused
 * network computes what DL4J computes, its input gradient matches finite differences, and whatever a
 * caller can read (the targets) is never fused away or overwritten.
 */
class FusionTest {
    static final int SIZE = 10; // even: the stride-2 convolutions leave the last row and column unread

    /**
     * conv1 > bn1 > act1, then a bottleneck-like block: conv2a (3x3/2 same) > bn2a > act2a > conv2b > bn2b,
     * a projection conv2s (1x1/2) > bn2s, their sum and a ReLU "out". With {@code side}, a ReLU "side"
     * also reads bn2s (declared before the sum, so it runs first).
     */
    static ComputationGraph graph(boolean side) {
        var b = new NeuralNetConfiguration.Builder().seed(42).dataType(DataType.DOUBLE).weightInit(WeightInit.RELU)
                .convolutionMode(ConvolutionMode.Truncate)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(SIZE, SIZE, 3))
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(5)
                        .activation(Activation.IDENTITY).build(), "in")
                .addLayer("bn1", new BatchNormalization.Builder().build(), "conv1")
                .addLayer("act1", new ActivationLayer.Builder().activation(Activation.RELU).build(), "bn1")
                .addLayer("conv2a", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(4).hasBias(false)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build(), "act1")
                .addLayer("bn2a", new BatchNormalization.Builder().build(), "conv2a")
                .addLayer("act2a", new ActivationLayer.Builder().activation(Activation.RELU).build(), "bn2a")
                .addLayer("conv2b", new ConvolutionLayer.Builder(1, 1).nOut(6).activation(Activation.IDENTITY).build(), "act2a")
                .addLayer("bn2b", new BatchNormalization.Builder().build(), "conv2b")
                .addLayer("conv2s", new ConvolutionLayer.Builder(1, 1).stride(2, 2).nOut(6)
                        .activation(Activation.IDENTITY).build(), "act1")
                .addLayer("bn2s", new BatchNormalization.Builder().build(), "conv2s");
        if (side) {
            b.addLayer("side", new ActivationLayer.Builder().activation(Activation.RELU).build(), "bn2s");
        }
        ComputationGraphConfiguration conf = b
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "bn2b", "bn2s")
                .addLayer("out", new ActivationLayer.Builder().activation(Activation.RELU).build(), "add")
                .setOutputs(side ? new String[] {"out", "side"} : new String[] {"out"})
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        // Running statistics and scales far from the identity, as in a trained network.
        org.nd4j.linalg.api.rng.Random rng = Nd4j.getRandomFactory().getNewRandomInstance(7);
        for (String bn : new String[] {"bn1", "bn2a", "bn2b", "bn2s"}) {
            var layer = graph.getLayer(bn);
            layer.getParam("mean").assign(Nd4j.rand(rng, layer.getParam("mean").shape()).subi(0.5));
            INDArray logStd = layer.getParam("log10stdev");
            if (logStd != null) {
                logStd.assign(Nd4j.rand(rng, logStd.shape()).subi(0.5).muli(0.6));
            } else {
                layer.getParam("var").assign(Nd4j.rand(rng, layer.getParam("var").shape()).addi(0.3));
            }
            layer.getParam("gamma").assign(Nd4j.rand(rng, layer.getParam("gamma").shape()).muli(2).subi(0.7));
            layer.getParam("beta").assign(Nd4j.rand(rng, layer.getParam("beta").shape()).subi(0.5));
        }
        return graph;
    }

    static GraphSpec spec(ComputationGraph graph) {
        return GraphSpec.of(graph.getConfiguration(), InputType.convolutional(SIZE, SIZE, 3));
    }

    static Network build(ComputationGraph graph, List<String> targets) {
        return NetworkBuilder.build(spec(graph), new LoadedWeights(graph, "test"), targets, DataType.DOUBLE);
    }

    /** Every vertex a target: nothing folded, nothing in place. */
    static Network unfused(ComputationGraph graph) {
        List<String> all = spec(graph).vertices().stream().map(GraphSpec.Vertex::name).filter(n -> !n.equals("in")).toList();
        return build(graph, all);
    }

    static Op op(Network net, String node) {
        return net.nodes().stream().filter(n -> n.name().equals(node)).findFirst().orElseThrow().op();
    }

    static double relativeDifference(INDArray expected, INDArray actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        return expected.sub(actual).amaxNumber().doubleValue() / Math.max(1e-12, expected.amaxNumber().doubleValue());
    }

    /**
     * DL4J's inference output of one vertex from a pass that stops there. (DL4J's ActivationLayers
     * overwrite their input, so a full pass's record of a vertex one of them reads shows its function
     * applied.)
     */
    static INDArray dl4j(ComputationGraph graph, INDArray x, String vertex) {
        return graph.output(List.of(vertex), false, new INDArray[] {x.dup()}, null)[0];
    }

    static INDArray input(long seed) {
        return input(seed, 2);
    }

    static INDArray input(long seed, int images) {
        return GradientCheck.uniform(DataType.DOUBLE, seed, images, 3, SIZE, SIZE).subi(0.5).muli(4);
    }

    @Test
    void foldedNetworkMatchesDl4jForward() {
        ComputationGraph graph = graph(false);
        Network net = build(graph, List.of("out"));
        for (String bn : new String[] {"bn1", "bn2a", "bn2b", "bn2s"}) {
            assertInstanceOf(Identity.class, op(net, bn), bn + " was not folded");
        }
        for (String act : new String[] {"act1", "act2a", "out"}) {
            assertTrue(((Relu) op(net, act)).inPlace(), act + " copies");
        }
        INDArray x = input(3);
        INDArray expected = graph.feedForward(x.dup(), false).get("out");
        INDArray actual = net.forward(x, List.of("out")).get("out");
        double err = relativeDifference(expected, actual);
        assertTrue(err < 1e-10, "differs from DL4J by " + err);
        assertTrue(expected.amaxNumber().doubleValue() > 0.1, "a dead network proves nothing");
    }

    @Test
    void foldedGradientMatchesFiniteDifferencesAtEveryPixel() {
        ComputationGraph graph = graph(false);
        Network net = build(graph, List.of("out"));
        assertInstanceOf(Identity.class, op(net, "bn1"));
        INDArray x = input(5, 1);
        Map<String, INDArray> probes = NetworkGradientTest.randomProbes(net, x, List.of("out"), 9);
        net.forward(x, List.of("out"));
        INDArray grad = net.backward(Map.of("out", probes.get("out").dup())); // backward may mask it in place
        INDArray probe = probes.get("out");
        long m = probe.length();
        double err = GradientCheck.maxRelativeErrorBatched(
                batch -> net.forward(batch, List.of("out")).get("out").reshape(batch.size(0), m).mmul(probe.reshape(m, 1)), x, grad);
        assertTrue(err < 1e-4, "max relative error " + err);
        // And the same gradient as the unfused network.
        Network reference = unfused(graph);
        reference.forward(x, List.of("out"));
        INDArray expected = reference.backward(Map.of("out", probes.get("out").dup()));
        assertTrue(relativeDifference(expected, grad) < 1e-10);
    }

    @Test
    void targetingTheRawConvolutionKeepsItUnfused() {
        ComputationGraph graph = graph(false);
        Network net = build(graph, List.of("conv2a", "out"));
        assertInstanceOf(Conv2d.class, op(net, "conv2a"));
        assertInstanceOf(ChannelAffine.class, op(net, "bn2a"));
        assertInstanceOf(Identity.class, op(net, "bn1"), "other convolutions still fold");
        INDArray x = input(3);
        Map<String, INDArray> expected = graph.feedForward(x.dup(), false);
        Map<String, INDArray> actual = net.forward(x, List.of("conv2a", "out"));
        assertTrue(relativeDifference(expected.get("conv2a"), actual.get("conv2a")) < 1e-10, "conv2a");
        assertTrue(relativeDifference(expected.get("out"), actual.get("out")) < 1e-10, "out");
    }

    @Test
    void aFoldedConvolutionCannotBeRead() {
        ComputationGraph graph = graph(false);
        Network net = build(graph, List.of("out"));
        INDArray x = input(3);
        assertThrows(IllegalArgumentException.class, () -> net.forward(x, List.of("conv2a")));
        net.forward(x, List.of("out"));
        assertThrows(IllegalArgumentException.class, () -> net.backward(Map.of("conv2a", Nd4j.ones(DataType.DOUBLE, 2, 4, 5, 5))));
    }

    @Test
    void aTargetedBatchNormIsNotOverwrittenByTheReluAfterIt() {
        ComputationGraph graph = graph(false);
        Network net = build(graph, List.of("bn1", "bn2a", "out"));
        assertInstanceOf(Identity.class, op(net, "bn1"), "a targeted BatchNorm still folds");
        assertFalse(((Relu) op(net, "act1")).inPlace(), "act1 would overwrite the target bn1");
        assertFalse(((Relu) op(net, "act2a")).inPlace(), "act2a would overwrite the target bn2a");
        assertTrue(((Relu) op(net, "out")).inPlace());
        INDArray x = input(4);
        Map<String, INDArray> actual = net.forward(x, List.of("bn1", "bn2a", "out"));
        for (String name : List.of("bn1", "bn2a", "out")) {
            INDArray expected = dl4j(graph, x, name);
            assertTrue(relativeDifference(expected, actual.get(name)) < 1e-10, name);
            if (!name.equals("out")) {
                assertTrue(expected.minNumber().doubleValue() < -0.1, name + " has no negative values a ReLU would clip");
            }
        }
    }

    @Test
    void aReluWhoseInputHasAnotherReaderCopies() {
        ComputationGraph graph = graph(true);
        List<String> targets = List.of("out", "side");
        Network net = build(graph, targets);
        assertFalse(((Relu) op(net, "side")).inPlace(), "side would overwrite bn2s, which add reads too");
        assertTrue(((Relu) op(net, "out")).inPlace());
        INDArray x = input(6);
        Map<String, INDArray> actual = net.forward(x, targets);
        // The same network without "side" (the same weights: "side" has none) is DL4J's clean reference.
        ComputationGraph plain = graph(false);
        assertTrue(plain.params().equals(graph.params()));
        INDArray bn2s = dl4j(plain, x, "bn2s");
        assertTrue(bn2s.minNumber().doubleValue() < -0.1, "bn2s has no negative values a ReLU would clip");
        assertTrue(relativeDifference(dl4j(plain, x, "out"), actual.get("out")) < 1e-10, "out");
        assertTrue(relativeDifference(org.nd4j.linalg.ops.transforms.Transforms.relu(bn2s, true), actual.get("side")) < 1e-10, "side");
    }

    @Test
    void aReluAfterAnOpWhoseBackwardReadsItsOutputCopies() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.DOUBLE)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(SIZE, SIZE, 3))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.IDENTITY).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().build(), "conv")
                .addLayer("r1", new ActivationLayer.Builder().activation(Activation.RELU).build(), "bn")
                .addLayer("r2", new ActivationLayer.Builder().activation(Activation.RELU).build(), "r1")
                .setOutputs("r2")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        Network net = NetworkBuilder.build(GraphSpec.of(conf, InputType.convolutional(SIZE, SIZE, 3)),
                new LoadedWeights(graph, "test"), List.of("r2"), DataType.DOUBLE);
        assertTrue(((Relu) op(net, "r1")).inPlace(), "r1 owns the folded convolution's output");
        assertFalse(((Relu) op(net, "r2")).inPlace(), "r2 would overwrite what r1's backward pass reads");
    }
}
