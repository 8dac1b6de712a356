package featviz.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The small fixtures written by the old writers (src/fixtures: DL4J 0.8.0 for the VGG files, 1.0.0-beta for
 * ResNet50 v3) load in featviz as the product loads a model file, and every named vertex computes what DL4J
 * M2.1's own ModelSerializer.restoreComputationGraph computes (with deeplearning4j-modelimport, on the test
 * class path only, for ResNet50's TensorFlowCnnToFeedForwardPreProcessor); input gradients pass central
 * finite differences in double precision.
 */
class LegacyFilesMatchDl4jTest {

    static Path fixture(String name) {
        return Path.of("src/test/resources/featviz/legacy", name);
    }

    /** featviz's network for a model zip, read as ModelLoader reads a --model file. */
    static Network featviz(Path file, int size, List<String> targets, DataType dt) throws Exception {
        ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(ModelZip.configurationJson(file));
        ZipWeights weights = new ZipWeights(file, conf, "test");
        weights.verify();
        GraphSpec spec = GraphSpec.of(conf, InputType.convolutional(size, size, 3));
        return NetworkBuilder.build(spec, weights, targets, dt);
    }

    static List<String> vertices(Path file, int size) throws Exception {
        ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(ModelZip.configurationJson(file));
        GraphSpec spec = GraphSpec.of(conf, InputType.convolutional(size, size, 3));
        return spec.vertices().stream().map(GraphSpec.Vertex::name).filter(n -> !n.equals(spec.inputName())).toList();
    }

    /** Largest |expected - actual| over the largest |expected|. */
    static double relativeError(INDArray expected, INDArray actual) {
        double scale = Math.max(1e-30, expected.amaxNumber().doubleValue());
        return expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue() / scale;
    }

    @ParameterizedTest
    @CsvSource({"vgg19_small.zip, 64, 25", "vgg16_small.zip, 64, 22", "resnet50_v3_small.zip, 224, 175"})
    void everyVertexMatchesDl4jRestore(String name, int size, int count) throws Exception {
        Path file = fixture(name);
        ComputationGraph reference = ModelSerializer.restoreComputationGraph(file.toFile(), false);
        List<String> names = vertices(file, size);
        assertEquals(count, names.size(), "vertices of " + name);
        Network net = featviz(file, size, names, DataType.FLOAT);
        INDArray x = GradientCheck.uniform(DataType.FLOAT, 3, 1, 3, size, size).subi(0.5).muli(4);
        Map<String, INDArray> actual = net.forward(x, names);
        double worst = 0;
        String worstAt = "";
        int[] topological = reference.topologicalSortOrder();
        Map<String, INDArray> full = reference.feedForward(x.dup(), false);
        for (String v : names) {
            // DL4J's ActivationLayer overwrites its input array in place, so the full feedForward map holds a
            // vertex an ActivationLayer reads with the activation applied: for those, a pass that stops at the
            // vertex. (The three-argument feedForward(input, layerTillIndex, train) went on past the index.)
            INDArray expected = full.get(v);
            if (readByActivationLayer(reference, v)) {
                int position = indexOf(topological, reference.getVertex(v).getVertexIndex());
                expected = reference.feedForward(new INDArray[] {x.dup()}, position, false, true).get(v);
            }
            INDArray a = actual.get(v);
            assertArrayEquals(expected.shape(), a.shape(), v);
            double err = relativeError(expected, a);
            if (err > worst) {
                worst = err;
                worstAt = v;
            }
            assertTrue(err < 1e-4, name + " " + v + " differs from DL4J by " + err);
        }
        // The softmax of random weights saturates (ResNet50's fc1000 is one-hot here): the scores before it too,
        // from DL4J's input to the layer and its parameters.
        String last = names.get(names.size() - 1);
        String before = reference.getConfiguration().getVertexInputs().get(last).get(0);
        var params = reference.getLayer(last).paramTable();
        INDArray logits = full.get(before).mmul(params.get("W")).addRowVector(params.get("b"));
        INDArray ours = featviz(file, size, List.of(last + NetworkBuilder.LOGITS), DataType.FLOAT).forward(x, List.of(last + NetworkBuilder.LOGITS))
                .get(last + NetworkBuilder.LOGITS);
        double logitErr = relativeError(logits, ours);
        assertTrue(logitErr < 1e-4, name + " " + last + " scores differ from DL4J's by " + logitErr);
        System.out.printf("%s: %d vertices match DL4J M2.1, max relative error %.3g (%s); %s scores %.3g%n", name,
                names.size(), worst, worstAt, last, logitErr);
    }

    private static boolean readByActivationLayer(ComputationGraph graph, String vertex) {
        return graph.getConfiguration().getVertexInputs().entrySet().stream()
                .anyMatch(e -> e.getValue().contains(vertex) && graph.getVertex(e.getKey()).hasLayer()
                        && graph.getVertex(e.getKey()).getLayer() instanceof org.deeplearning4j.nn.layers.ActivationLayer);
    }

    private static int indexOf(int[] order, int vertex) {
        for (int i = 0; i < order.length; i++) {
            if (order[i] == vertex) {
                return i;
            }
        }
        throw new IllegalArgumentException("vertex " + vertex + " not in the topological order");
    }

    @ParameterizedTest
    @CsvSource({"vgg19_small.zip, 64, block5_conv4, predictions", "vgg16_small.zip, 64, block4_pool, fc2",
            "resnet50_v3_small.zip, 224, activation_40, fc1000"})
    void inputGradientMatchesFiniteDifferences(String name, int size, String mid, String last) throws Exception {
        List<String> taps = List.of(mid, last + NetworkBuilder.LOGITS); // the scores: random softmaxes saturate
        Network net = featviz(fixture(name), size, taps, DataType.DOUBLE);
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, 5, 1, 3, size, size).subi(0.5).muli(4);
        Map<String, INDArray> probes = NetworkGradientTest.randomProbes(net, x, taps, 11);
        net.forward(x, taps);
        INDArray grad = net.backward(probes);
        double err = GradientCheck.maxRelativeError(NetworkGradientTest.objective(net, probes), x, grad, 16, 7);
        double directional = GradientCheck.directionalError(NetworkGradientTest.objective(net, probes), x, grad, 9);
        System.out.printf("%s: input gradient vs finite differences, 16 coordinates %.3g, directional %.3g%n",
                name, err, directional);
        assertTrue(err < 1e-4, name + " max relative error " + err);
        assertTrue(directional < 1e-5, name + " directional error " + directional);
    }
}
