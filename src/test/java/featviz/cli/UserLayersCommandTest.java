package featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SpaceToBatchLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * Model files users bring: DL4J's own regression-test files from releases 0.5.0 and 1.0.0-beta6 list every
 * layer as a target and render their last convolution; a layer featviz cannot differentiate through stops a
 * render behind it with one line naming it and its type.
 */
class UserLayersCommandTest {
    static final Path REGRESSION = Path.of("src/test/resources/featviz/dl4j-regression");
    @TempDir
    static Path dir;
    static Path blocked;

    @BeforeAll
    static void saveModel() throws Exception {
        // SpaceToBatch between two convolutions: a layer featviz does not differentiate.
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).name("first").build())
                .layer(new SpaceToBatchLayer.Builder(new int[] {2, 2}).name("s2b").build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).name("behind").build())
                .setInputType(InputType.convolutional(16, 16, 3))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        blocked = dir.resolve("blocked.zip");
        ModelSerializer.writeModel(net, blocked.toFile(), false);
    }

    @Test
    void everyLayerOfDl4jsRegressionFilesIsATarget() throws Exception {
        for (String file : new String[] {"050_ModelSerializer_Regression_CNN_1.zip", "SyntheticCNN_100b6.bin"}) {
            Cli r = Cli.run("layers", "--model", REGRESSION.resolve(file).toString(), "--json");
            assertEquals(0, r.exit(), r.toString());
            JsonNode rows = new ObjectMapper().readTree(r.out());
            assertEquals(file.startsWith("050") ? 3 : 10, rows.size(), r.out());
            for (JsonNode row : rows) {
                assertTrue(row.get("target").asBoolean(), file + ": " + row);
            }
        }
        // The 0.5.0 file's output layer fixes its input at 28x28: the default size.
        Cli r = Cli.run("layers", "--model", REGRESSION.resolve("050_ModelSerializer_Regression_CNN_1.zip").toString());
        assertTrue(r.out().contains("output shapes at 28x28"), r.out());
    }

    @Test
    void theLastConvolutionOfEachRegressionFileRenders() throws Exception {
        String[][] cases = {{"050_ModelSerializer_Regression_CNN_1.zip", "0", "28"}, {"SyntheticCNN_100b6.bin", "layer8", "28"}};
        for (String[] c : cases) {
            Path out = dir.resolve(c[1] + ".png");
            Cli r = Cli.run("maximize", "--model", REGRESSION.resolve(c[0]).toString(), "--layer", c[1], "--index", "1",
                    "--size", c[2], "--steps", "4", "--output", out.toString(), "--json", "--quiet");
            assertEquals(0, r.exit(), r.toString());
            JsonNode json = new ObjectMapper().readTree(r.out());
            assertTrue(Double.isFinite(json.get("objective_last").asDouble()), r.out());
            BufferedImage img = ImageIO.read(out.toFile());
            assertEquals(Integer.parseInt(c[2]), img.getWidth());
        }
    }

    @Test
    void aLayerBehindAnUnsupportedOneIsNotATargetAndMaximizeNamesTheBlocker() throws Exception {
        Cli layers = Cli.run("layers", "--model", blocked.toString(), "--size", "16");
        assertEquals(0, layers.exit(), layers.toString());
        assertTrue(layers.out().matches("(?s).*first\\s+ConvolutionLayer\\s+4x16x16\\s+4\\s+yes.*"), layers.out());
        assertTrue(layers.out().matches("(?s).*s2b\\s+SpaceToBatchLayer\\s+\\S+\\s+\\d+\\s+no.*"), layers.out());
        assertTrue(layers.out().matches("(?s).*behind\\s+ConvolutionLayer\\s+\\S+\\s+4\\s+no.*"), layers.out());
        assertTrue(layers.out().contains("not a target, nor anything that depends on it: layer s2b (SpaceToBatchLayer)"),
                layers.out());

        Cli r = Cli.run("maximize", "--model", blocked.toString(), "--layer", "behind", "--size", "16", "--steps", "2",
                "--output", dir.resolve("never.png").toString());
        MaximizeCommandTest.assertOneLineError(r, 2, "layer s2b (SpaceToBatchLayer)", "choose a layer before it");
        System.out.println(r.err().strip());
        assertTrue(!dir.resolve("never.png").toFile().exists());
    }
}
