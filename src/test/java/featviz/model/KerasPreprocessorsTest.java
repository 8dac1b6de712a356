package featviz.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.preprocessors.TensorFlowCnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.preprocessors.PermutePreprocessor;
import org.deeplearning4j.preprocessors.ReshapePreprocessor;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Keras-import preprocessors, as files name them (the 2018 package org.deeplearning4j.nn.modelimport.keras.
 * preprocessors), compute in featviz what DL4J M2.1 computes with its own classes (modelimport on the test class
 * path), and their input gradients pass finite differences. Non-square, multi-channel shapes, so a channels-last
 * flatten differs from a plain one.
 */
class KerasPreprocessorsTest {
    private static final String OLD = "org.deeplearning4j.nn.modelimport.keras.preprocessors.";

    @TempDir
    Path dir;

    /** input [3, 5, 6] -> conv 4 (Same) -> preprocessor -> next (a dense layer, or a convolution). */
    private static ComputationGraph graph(InputPreProcessor pre, boolean denseAfter, long nInAfter) {
        var g = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE).weightInit(WeightInit.RELU)
                .graphBuilder().addInputs("in")
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nIn(3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.TANH).build(), "in")
                .addVertex("pre", new PreprocessorVertex(pre), "conv");
        if (denseAfter) {
            g.addLayer("out", new DenseLayer.Builder().nIn(nInAfter).nOut(7).activation(Activation.TANH).build(), "pre");
        } else {
            g.addLayer("out", new ConvolutionLayer.Builder(2, 2).nIn(nInAfter).nOut(3).activation(Activation.TANH).build(), "pre");
        }
        ComputationGraph net = new ComputationGraph(g.setOutputs("out").build());
        net.init();
        net.params().assign(GradientCheck.uniform(DataType.DOUBLE, 5, net.params().shape()).subi(0.5));
        return net;
    }

    /** The zip with its configuration's M2.1 class name replaced by the 2018 Keras-import one. */
    private Path asWrittenIn2018(Path zip, String m21Class, String simpleName) throws Exception {
        Path old = dir.resolve("old-" + zip.getFileName());
        try (ZipFile in = new ZipFile(zip.toFile()); OutputStream os = Files.newOutputStream(old);
             ZipOutputStream out = new ZipOutputStream(os)) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                byte[] bytes = in.getInputStream(e).readAllBytes();
                if (e.getName().equals("configuration.json")) {
                    String json = new String(bytes, StandardCharsets.UTF_8);
                    assertTrue(json.contains(m21Class), json);
                    bytes = json.replace(m21Class, OLD + simpleName).getBytes(StandardCharsets.UTF_8);
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(bytes);
                out.closeEntry();
            }
        }
        return old;
    }

    private void check(ComputationGraph reference, Path file, int[] chw) throws Exception {
        ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(ModelZip.configurationJson(file));
        GraphSpec spec = GraphSpec.of(conf, InputType.convolutional(chw[1], chw[2], chw[0]));
        List<String> taps = List.of("pre", "out");
        Network net = NetworkBuilder.build(spec, new ZipWeights(file, conf, "test"), taps, DataType.DOUBLE);
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, 9, 2, chw[0], chw[1], chw[2]).subi(0.5);
        Map<String, INDArray> expected = reference.feedForward(x.dup(), false);
        Map<String, INDArray> actual = net.forward(x, taps);
        for (String t : taps) {
            assertArrayEquals(expected.get(t).shape(), actual.get(t).shape(), t);
            double err = LegacyFilesMatchDl4jTest.relativeError(expected.get(t), actual.get(t));
            assertTrue(err < 1e-12, t + " differs from DL4J by " + err);
        }
        INDArray one = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)).dup();
        Map<String, INDArray> probes = NetworkGradientTest.randomProbes(net, one, taps, 4);
        net.forward(one, taps);
        INDArray grad = net.backward(probes);
        double err = GradientCheck.maxRelativeError(NetworkGradientTest.objective(net, probes), one, grad, Integer.MAX_VALUE, 1);
        assertTrue(err < 1e-6, "gradient error " + err);
    }

    @Test
    void tensorFlowFlattenIsChannelsLastAndLoadsWithoutModelimportClasses() throws Exception {
        ComputationGraph reference = graph(new TensorFlowCnnToFeedForwardPreProcessor(5, 6, 4), true, 120);
        Path file = dir.resolve("tf.zip");
        ModelSerializer.writeModel(reference, file.toFile(), false);
        String json = ModelZip.configurationJson(file);
        assertTrue(json.contains(ChannelsLastFlatten.class.getName()) && !json.contains(OLD), json);
        check(reference, file, new int[] {3, 5, 6});
        // Not a plain flatten: the two orders differ on this shape.
        INDArray a = reference.feedForward(GradientCheck.uniform(DataType.DOUBLE, 2, 1, 3, 5, 6), false).get("conv");
        assertTrue(!new ChannelsLastFlatten(5, 6, 4).preProcess(a, 1, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces())
                .equals(a.reshape('c', 1, 120)));
    }

    @Test
    void reshapeFrom2018LoadsAsM21Reshape() throws Exception {
        ComputationGraph reference = graph(new ReshapePreprocessor(new long[] {4, 5, 6}, new long[] {4, 10, 3}, false), false, 4);
        Path file = dir.resolve("reshape.zip");
        ModelSerializer.writeModel(reference, file.toFile(), false);
        check(reference, asWrittenIn2018(file, ReshapePreprocessor.class.getName(), "ReshapePreprocessor"), new int[] {3, 5, 6});
    }

    @Test
    void permuteFrom2018LoadsAsM21Permute() throws Exception {
        ComputationGraph reference = graph(new PermutePreprocessor(1, 3, 2), false, 4);
        Path file = dir.resolve("permute.zip");
        ModelSerializer.writeModel(reference, file.toFile(), false);
        check(reference, asWrittenIn2018(file, PermutePreprocessor.class.getName(), "PermutePreprocessor"), new int[] {3, 5, 6});
    }

    @Test
    void otherClassesAreLeftAlone() {
        String json = "{\"@class\" : \"" + OLD + "NoSuchPreprocessor\", \"x\": \"" + OLD + "ReshapePreprocessor\"}";
        assertEquals(json, KerasPreprocessors.toRuntimeClasses(json));
    }
}
