package featviz.cli;

import static featviz.cli.MaximizeCommandTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.KnownAnswerNets;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * A model file whose input size nothing fixes (convolutions, a global average pool, softmax) is run at the
 * images' own size, not at a guessed 224: the answers are DL4J's own forward pass at 28 px. Mixed sizes, and
 * renders, need --size; a model whose dense head fixes its size is run at that size as before.
 */
class FreeSizeCommandTest {
    @TempDir
    static Path dir;
    static MultiLayerNetwork free;
    static Path freeModel;
    static Path fixedModel;
    static Path a28;
    static Path b28;
    static Path c32;

    /** A seeded noise picture, size x size, RGB. */
    static Path noise(Path file, int size, long seed) throws Exception {
        Random random = new Random(seed);
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                img.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    @BeforeAll
    static void setUp() throws Exception {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("c1").stride(2, 2).nOut(6).activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("c2").nOut(6).activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).name("gap").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(4)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 3)) // records nothing of the size in the file
                .build();
        free = new MultiLayerNetwork(conf);
        free.init();
        freeModel = dir.resolve("free.zip");
        ModelSerializer.writeModel(free, freeModel.toFile(), false);
        fixedModel = dir.resolve("fixed.zip"); // a 1x1 convolution and a dense head of 4x4x3 inputs: 4 px
        ModelSerializer.writeModel(KnownAnswerNets.colourClassifier(), fixedModel.toFile(), false);
        a28 = noise(dir.resolve("a.png"), 28, 1);
        b28 = noise(dir.resolve("b.png"), 28, 2);
        c32 = noise(dir.resolve("c.png"), 32, 3);
    }

    static JsonNode json(Cli r) throws Exception {
        assertEquals(0, r.exit(), r.toString());
        return new ObjectMapper().readTree(r.out());
    }

    /** Probabilities of classes 0..3 from predict's JSON row for one image. */
    static double[] probabilities(JsonNode row) {
        double[] p = new double[4];
        for (JsonNode c : row.get("predictions")) {
            p[c.get("index").asInt()] = c.get("probability").asDouble();
        }
        return p;
    }

    /** DL4J's own probabilities for a PNG at its own size (8-bit levels / 255, RGB, as predict reads it). */
    static double[] dl4j(Path png) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        int h = img.getHeight();
        int w = img.getWidth();
        INDArray x = Nd4j.create(DataType.FLOAT, 1, 3, h, w);
        for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < w; xx++) {
                int rgb = img.getRGB(xx, y);
                x.putScalar(new long[] {0, 0, y, xx}, ((rgb >> 16) & 255) / 255.0);
                x.putScalar(new long[] {0, 1, y, xx}, ((rgb >> 8) & 255) / 255.0);
                x.putScalar(new long[] {0, 2, y, xx}, (rgb & 255) / 255.0);
            }
        }
        return free.output(x).castTo(DataType.DOUBLE).toDoubleVector();
    }

    static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            best = p[i] > p[best] ? i : best;
        }
        return best;
    }

    @Test
    void predictRunsAFreeSizeModelAtTheImagesOwnSize() throws Exception {
        JsonNode own = json(Cli.run("predict", a28.toString(), b28.toString(), "--model", freeModel.toString(),
                "--top", "4", "--json", "-q"));
        JsonNode given = json(Cli.run("predict", a28.toString(), b28.toString(), "--model", freeModel.toString(),
                "--size", "28", "--top", "4", "--json", "-q"));
        JsonNode big = json(Cli.run("predict", a28.toString(), b28.toString(), "--model", freeModel.toString(),
                "--size", "224", "--top", "4", "--json", "-q"));
        double bigDifference = 0;
        for (int i = 0; i < 2; i++) {
            double[] p = probabilities(own.get(i));
            double[] q = probabilities(given.get(i));
            double[] ref = dl4j(i == 0 ? a28 : b28);
            assertEquals(argmax(ref), argmax(p), own.toString());
            assertEquals(own.get(i).get("predictions").get(0).get("index").asInt(),
                    given.get(i).get("predictions").get(0).get("index").asInt());
            for (int k = 0; k < 4; k++) {
                assertEquals(q[k], p[k], 0.0, "class " + k + " without --size and with --size 28");
                assertEquals(ref[k], p[k], 1e-5, "class " + k + " against DL4J's forward pass at 28 px");
                bigDifference = Math.max(bigDifference, Math.abs(probabilities(big.get(i))[k] - ref[k]));
            }
        }
        // What the old default did: the same pictures at 224 px give other probabilities, so the test can fail.
        assertTrue(bigDifference > 1e-3, "224 px probabilities differ from 28 px ones by only " + bigDifference);
    }

    @Test
    void mixedSizesWithoutSizeAreOneLineExit2() {
        assertOneLineError(Cli.run("predict", a28.toString(), c32.toString(), "--model", freeModel.toString(), "-q"), 2,
                "free's input size is free", "28x28, 32x32", "--size");
        assertOneLineError(Cli.run("activations", a28.toString(), c32.toString(), "--model", freeModel.toString(),
                "--layer", "c2", "--csv", dir.resolve("x.csv").toString(), "--plot", dir.resolve("x.png").toString(), "-q"),
                2, "input size is free", "--size");
        assertFalse(Files.exists(dir.resolve("x.csv")));
        assertEquals(0, Cli.run("predict", a28.toString(), c32.toString(), "--model", freeModel.toString(),
                "--size", "28", "-q").exit());
    }

    @Test
    void activationsExamplesAndEmbedTakeTheSharedSize() throws Exception {
        JsonNode acts = json(Cli.run("activations", a28.toString(), b28.toString(), "--model", freeModel.toString(),
                "--layer", "c2", "--csv", dir.resolve("acts.csv").toString(), "--plot", dir.resolve("acts.png").toString(),
                "--json", "-q"));
        assertEquals(28, acts.get("size").asInt(), acts.toString());
        Path images = Files.createDirectories(dir.resolve("examples-in"));
        noise(images.resolve("p.png"), 28, 4);
        noise(images.resolve("q.png"), 28, 5);
        Files.writeString(images.resolve("README.txt"), "not an image: skipped, and no size of its own");
        JsonNode ex = json(Cli.run("examples", images.toString(), "--model", freeModel.toString(), "--layer", "c2",
                "--index", "0", "--top", "1", "--output", dir.resolve("examples-out").toString(), "--json", "-q"));
        assertEquals(28, ex.get("size").asInt(), ex.toString());
        Path other = Files.createDirectories(dir.resolve("embed-other"));
        noise(other.resolve("s.png"), 28, 7);
        noise(other.resolve("t.png"), 28, 8);
        String[] embed = {"embed", images.toString(), other.toString(), "--model", freeModel.toString(), "--layer", "c2",
            "--no-tsne", "--output", dir.resolve("embed-out").toString(), "-q"};
        assertEquals(0, Cli.run(embed).exit());
        assertOneLineError(Cli.run(java.util.stream.Stream.concat(java.util.Arrays.stream(embed),
                java.util.stream.Stream.of("--probe", c32.toString())).toArray(String[]::new)), 2, "input size is free",
                "32x32, 28x28", "--size"); // the probe is met first
        noise(images.resolve("r.png"), 32, 6);
        assertOneLineError(Cli.run("examples", images.toString(), "--model", freeModel.toString(), "--layer", "c2",
                "--index", "0", "--output", dir.resolve("examples-out2").toString(), "-q"), 2, "input size is free", "--size");
    }

    @Test
    void rendersOfAFreeSizeModelNeedSize() {
        assertOneLineError(Cli.run("maximize", "--model", freeModel.toString(), "--layer", "c2", "--index", "0",
                "--steps", "2", "--output", dir.resolve("r.png").toString(), "-q"), 2, "input size is free", "--size");
        assertFalse(Files.exists(dir.resolve("r.png")));
        assertOneLineError(Cli.run("bench", "--model", freeModel.toString(), "--layer", "c2", "--steps", "1",
                "--warmup", "0"), 2, "input size is free", "--size");
        assertEquals(0, Cli.run("maximize", "--model", freeModel.toString(), "--layer", "c2", "--index", "0",
                "--size", "16", "--steps", "2", "--output", dir.resolve("r.png").toString(), "-q").exit());
    }

    @Test
    void aModelThatFixesItsSizeIsRunAtItAsBefore() throws Exception {
        // the dense head fixes 4x4 inputs: 28 px and 32 px pictures alike are resized to 4 px
        JsonNode own = json(Cli.run("predict", a28.toString(), c32.toString(), "--model", fixedModel.toString(),
                "--top", "2", "--json", "-q"));
        JsonNode four = json(Cli.run("predict", a28.toString(), c32.toString(), "--model", fixedModel.toString(),
                "--size", "4", "--top", "2", "--json", "-q"));
        assertEquals(four, own);
        Cli layers = Cli.run("layers", "--model", fixedModel.toString());
        assertTrue(layers.out().contains("output shapes at 4x4\n"), layers.toString());
        Cli freeLayers = Cli.run("layers", "--model", freeModel.toString());
        assertTrue(freeLayers.out().contains("output shapes at 224x224 (its input size is free"), freeLayers.toString());
    }
}
