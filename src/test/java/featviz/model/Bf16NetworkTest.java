package featviz.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import featviz.GradientCheck;
import featviz.TestNets;
import featviz.model.op.Precision;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A whole network in bf16 (its convolutions; BatchNorm folded into them, residual adds, pooling, a dense layer and a
 * softmax stay float) against the same network in float: activations within bf16's tolerance, and not equal to
 * float's (or bf16 did not run). The input gradient too, on a smooth network; through ReLUs and max pooling bf16's
 * forward rounding flips which units pass a gradient where a pre-activation is near 0 (or two pooled values
 * nearly tie), a whole element at a time, so there the gradient's direction is what is held to float's. Skipped,
 * with the reason, where the CPU has no bf16.
 */
class Bf16NetworkTest {
    private static final int SIZE = 32;
    private static final List<String> TAPS = List.of("act2", "gap", "out");

    @BeforeAll
    static void needsBf16() {
        String why = Precision.BF16.unavailableReason();
        assumeTrue(why == null, () -> "bf16 cannot run here: " + why);
    }

    private static Network network(ComputationGraph graph, List<String> taps) {
        GraphSpec spec = GraphSpec.of(graph.getConfiguration(), InputType.convolutional(SIZE, SIZE, 3));
        return NetworkBuilder.build(spec, new LoadedWeights(graph, "test"), taps, DataType.FLOAT);
    }

    /** Convolutions with tanh and identity activations, average pooling: nothing routes, everything is smooth. */
    static ComputationGraph smoothGraph() {
        var conf = new NeuralNetConfiguration.Builder().seed(4).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER)
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(SIZE, SIZE, 3))
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(16).activation(Activation.TANH)
                        .build(), "in")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(32).activation(Activation.IDENTITY)
                        .build(), "c1")
                .addLayer("avg", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG, new int[] {2, 2},
                        new int[] {2, 2}).build(), "c2")
                .addLayer("c3", new ConvolutionLayer.Builder(1, 1).nOut(24).activation(Activation.TANH).build(), "avg")
                .setOutputs("c3").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    @Test
    void aSmoothNetworksActivationsAndInputGradientAreFloatsWithinBf16Tolerance() {
        List<String> taps = List.of("c3");
        Network fp32 = network(smoothGraph(), taps);
        Network bf16 = network(smoothGraph(), taps);
        assertEquals(3, ConvolutionPrecision.apply(bf16, Precision.BF16));
        INDArray x = GradientCheck.uniform(DataType.FLOAT, 5, 2, 3, SIZE, SIZE);
        INDArray c3 = fp32.forward(x, taps).get("c3");
        Map<String, INDArray> probe = Map.of("c3", GradientCheck.uniform(DataType.FLOAT, 6, c3.shape()).subi(0.5));
        for (int pass = 0; pass < 2; pass++) { // the second pass runs the primitives built by the first
            INDArray a = fp32.forward(x, taps).get("c3");
            INDArray b = bf16.forward(x, taps).get("c3");
            assertBf16Close(a, b, "c3 pass " + pass);
            assertBf16Close(fp32.backward(probe), bf16.backward(probe), "input gradient pass " + pass);
            fp32.clear();
            bf16.clear();
        }
    }

    @Test
    void aResidualNetworksActivationsAreWithinBf16ToleranceAndItsGradientPointsTheSameWay() {
        ComputationGraph graph = TestNets.residualGraph(3, DataType.FLOAT, SIZE);
        Network fp32 = network(graph, TAPS);
        Network bf16 = network(graph, TAPS);
        assertEquals(4, ConvolutionPrecision.apply(bf16, Precision.BF16), "conv1, conv2a, conv2b, conv3");
        INDArray x = GradientCheck.uniform(DataType.FLOAT, 5, 2, 3, SIZE, SIZE);
        Map<String, INDArray> probes = Map.of("act2", GradientCheck.uniform(DataType.FLOAT, 6, 2, 6, 16, 16).subi(0.5),
                "gap", GradientCheck.uniform(DataType.FLOAT, 7, 2, 10).subi(0.5),
                "out", GradientCheck.uniform(DataType.FLOAT, 8, 2, 5).subi(0.5));
        for (int pass = 0; pass < 2; pass++) { // the second pass runs the primitives built by the first
            Map<String, INDArray> a = fp32.forward(x, TAPS);
            Map<String, INDArray> b = bf16.forward(x, TAPS);
            for (String tap : TAPS) {
                assertBf16Close(a.get(tap), b.get(tap), tap + " pass " + pass);
            }
            INDArray g32 = fp32.backward(probes), g16 = bf16.backward(probes);
            double cosine = g32.mul(g16).sumNumber().doubleValue() / g32.norm2Number().doubleValue()
                    / g16.norm2Number().doubleValue();
            System.out.printf("bf16 residual network, input gradient pass %d: cosine %.5f to float's%n", pass, cosine);
            assertTrue(cosine > 0.99 && cosine < 1 - 1e-9, "input gradient's cosine to float's: " + cosine);
            fp32.clear();
            bf16.clear();
        }
    }

    /**
     * A channel render's last layer computes only the channels read (a new convolution made from the network's):
     * it inherits bf16, and its channels are the whole layer's bf16 ones.
     */
    @Test
    void aChannelRestrictedLastLayerStaysBf16() {
        ComputationGraph graph = TestNets.residualGraph(3, DataType.FLOAT, SIZE);
        List<String> taps = List.of("conv2a");
        Network fp32 = network(graph, taps);
        Network bf16 = network(graph, taps);
        ConvolutionPrecision.apply(bf16, Precision.BF16);
        INDArray x = GradientCheck.uniform(DataType.FLOAT, 5, 1, 3, SIZE, SIZE);
        INDArray whole = bf16.forward(x, taps).get("conv2a").dup();
        bf16.clear();
        assertTrue(bf16.restrictChannels("conv2a", new long[] {1, 4}));
        INDArray restricted = bf16.forward(x, taps).get("conv2a");
        INDArray reference = fp32.forward(x, taps).get("conv2a");
        for (long c : new long[] {1, 4}) {
            INDArray channel = restricted.slice(0).slice(c);
            double fromWhole = channel.sub(whole.slice(0).slice(c)).amaxNumber().doubleValue();
            assertTrue(fromWhole <= 1e-5 * whole.amaxNumber().doubleValue(), "channel " + c + " differs from the whole"
                    + " layer's bf16 by " + fromWhole);
            assertBf16Close(reference.slice(0).slice(c), channel, "channel " + c);
        }
    }

    /** Within 2% of the largest value (a few bf16 layers deep), and not float's own answer. */
    private static void assertBf16Close(INDArray expected, INDArray actual, String what) {
        double err = expected.sub(actual).amaxNumber().doubleValue() / expected.amaxNumber().doubleValue();
        double l2 = expected.sub(actual).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
        System.out.printf("bf16 network, %s: %.2e of the largest value from float, L2 %.2e%n", what, err, l2);
        assertTrue(err < 2e-2, what + ": differs from float by " + err + " of the largest value");
        assertTrue(err > 1e-6, what + ": float's answer to " + err + ": bf16 did not run");
    }
}
