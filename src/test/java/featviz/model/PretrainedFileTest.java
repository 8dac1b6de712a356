package featviz.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.RunFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The pretrained path, on a file made here: a small graph named as DL4J's converted Keras VGG19 zip is
 * (input_1, block1_conv1, ..., fc1, predictions), saved by ModelSerializer and loaded as the zoo's
 * pretrained weights are.
 */
class PretrainedFileTest {
    @TempDir
    Path dir;

    @Test
    void kerasNamedZipLoadsWithItsOwnNamesAndComputesWhatDl4jComputes() throws Exception {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(4).dataType(DataType.FLOAT)
                .convolutionMode(ConvolutionMode.Same).graphBuilder()
                .addInputs("input_1").setInputTypes(InputType.convolutional(16, 16, 3))
                .addLayer("block1_conv1", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "input_1")
                .addLayer("block1_pool", new SubsamplingLayer.Builder(2, 2).stride(2, 2).build(), "block1_conv1")
                .addLayer("fc1", new DenseLayer.Builder().nOut(6).activation(Activation.RELU).build(), "block1_pool")
                .addLayer("predictions", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "fc1")
                .setOutputs("predictions").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        Path zip = dir.resolve("vgg19_dl4j_inference.zip");
        ModelSerializer.writeModel(graph, zip.toFile(), false);

        ZooModel zoo = ZooModel.find("vgg19");
        VisionModel model = ModelLoader.pretrained(zoo, zip, Preprocessing.CAFFE);
        assertEquals("block1_conv1", model.resolve("block1_conv1"));
        List<LayerInfo> layers = model.layers(16, 16);
        assertEquals(List.of("block1_conv1", "block1_pool", "fc1", "predictions"), layers.stream().map(LayerInfo::name).toList());
        assertArrayEquals(new long[] {4, 8, 8}, layers.get(1).shape());
        assertTrue(model.weightsIdentity().contains("adler32:2782932419"));

        INDArray image = featviz.GradientCheck.uniform(DataType.FLOAT, 1, 1, 3, 16, 16);
        ImageNetwork net = model.network(List.of("fc1"), DataType.FLOAT, 16, 16);
        INDArray expected = graph.feedForward(Preprocessing.CAFFE.forward(image, 3), false).get("fc1");
        INDArray actual = net.forward(image).get("fc1");
        assertTrue(expected.sub(actual).amaxNumber().doubleValue() < 1e-4 * Math.max(1, expected.amaxNumber().doubleValue()));
    }

    @Test
    void aCorruptWeightFileIsARunFailureThatSaysWhatToDo() throws Exception {
        Path zip = dir.resolve("vgg19_dl4j_inference.zip");
        Files.write(zip, new byte[] {'P', 'K', 3, 4, 0, 0});
        RunFailure e = assertThrows(RunFailure.class,
                () -> ModelLoader.pretrained(ZooModel.find("vgg19"), zip, Preprocessing.CAFFE));
        assertTrue(e.getMessage().contains(zip.toString()) && e.getMessage().contains("delete the file"), e.getMessage());
    }
}
