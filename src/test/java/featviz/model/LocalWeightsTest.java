package featviz.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.UsageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;

/** {@code --weights PATH}: a hand-copied pretrained file for a zoo model, checked against the catalogue. */
class LocalWeightsTest {
    @TempDir
    Path dir;

    private Path kerasNamedZip() throws Exception {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(4).dataType(DataType.FLOAT)
                .convolutionMode(ConvolutionMode.Same).graphBuilder()
                .addInputs("input_1").setInputTypes(InputType.convolutional(16, 16, 3))
                .addLayer("block1_conv1", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "input_1")
                .addLayer("block1_pool", new SubsamplingLayer.Builder(2, 2).stride(2, 2).build(), "block1_conv1")
                .setOutputs("block1_pool").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        Path zip = dir.resolve("copy-of-vgg19.zip");
        ModelSerializer.writeModel(graph, zip.toFile(), false);
        return zip;
    }

    @Test
    void aCopyWithAnotherChecksumLoadsWithTheZooNamesAndOneWarning() throws Exception {
        Path zip = kerasNamedZip();
        List<String> warnings = new ArrayList<>();
        VisionModel model = new ModelLoader(null, warnings::add)
                .load("vgg19", ModelLoader.parseWeights(zip.toString()), null, 0);
        assertEquals("vgg19", model.name());
        assertEquals(Preprocessing.CAFFE, model.preprocessing());
        assertEquals("block1_conv1", model.resolve("block1_conv1"));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("Adler32") && warnings.get(0).contains("2782932419")
                && warnings.get(0).contains(zip.toString()), warnings.get(0));
        // Provenance names the file that was used, not the catalogue's.
        assertTrue(model.weightsIdentity().startsWith("copy-of-vgg19.zip adler32:"), model.weightsIdentity());
    }

    @Test
    void aMissingFileIsAUsageError() {
        UsageException e = assertThrows(UsageException.class, () -> new ModelLoader(null)
                .load("vgg19", ModelLoader.parseWeights(dir.resolve("nope.zip").toString()), null, 0));
        assertTrue(e.getMessage().contains("no such file") && e.getMessage().contains("vgg19_dl4j_inference.zip"),
                e.getMessage());
    }

    @Test
    void aFileModelTakesNoWeightsFile() throws Exception {
        Path zip = kerasNamedZip();
        UsageException e = assertThrows(UsageException.class, () -> new ModelLoader(null)
                .load(zip.toString(), ModelLoader.parseWeights(zip.toString()), null, 0));
        assertTrue(e.getMessage().contains("zoo models only"), e.getMessage());
    }

    @Test
    void somethingThatIsNeitherAWordNorAFileIsRejected() {
        UsageException e = assertThrows(UsageException.class, () -> ModelLoader.parseWeights("imagnet"));
        assertTrue(e.getMessage().contains("expected imagenet, random or the path"), e.getMessage());
    }

    @Test
    void aDamagedCopyIsAUsageErrorNamingTheFile() throws Exception {
        Path zip = dir.resolve("broken.zip");
        Files.write(zip, new byte[] {'P', 'K', 3, 4, 0, 0});
        UsageException e = assertThrows(UsageException.class, () -> new ModelLoader(null, w -> { })
                .load("resnet50", ModelLoader.parseWeights(zip.toString()), null, 0));
        assertTrue(e.getMessage().contains(zip.toString()), e.getMessage());
    }

    @Test
    void aFileInTheRealVgg19FormatServesAsVgg19WithItsKerasNames() throws Exception {
        // The legacy fixture: written by DL4J 0.8.0 as the zoo's 2017 VGG19 file (pre-1.0.0-beta JSON, old
        // headers), a copy of it under another name stands in for the 574 MB download.
        Path fixture = Path.of(getClass().getResource("/featviz/legacy/vgg19_small.zip").toURI());
        Path copy = Files.copy(fixture, dir.resolve("vgg19_dl4j_inference.zip"));
        List<String> warnings = new ArrayList<>();
        VisionModel model = new ModelLoader(null, warnings::add).load("vgg19", ModelLoader.parseWeights(copy.toString()), null, 0);
        assertEquals(1, warnings.size(), warnings.toString());
        assertEquals("block5_conv4", model.resolve("block5_conv4"));
        assertEquals(List.of("block1_conv1", "block1_conv2", "block1_pool"),
                model.layers(64, 64).stream().limit(3).map(LayerInfo::name).toList());
        assertEquals(Preprocessing.CAFFE, model.preprocessing());
        assertEquals("sea_cucumber", model.labels().names().get(329));
    }
}
