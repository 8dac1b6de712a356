package featviz.cli;

import static featviz.cli.MaximizeCommandTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.KnownAnswerNets;
import featviz.io.ImageFiles;
import featviz.io.PngWriter;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** featviz dream end to end, in this JVM: the PNG, its provenance, JSON, determinism, one-line errors. */
class DreamCommandTest {
    @TempDir
    static Path dir;
    static Path colourModel;
    static Path edgeModel;
    static Path grey;
    static Path noise;

    @BeforeAll
    static void setUp() throws Exception {
        colourModel = dir.resolve("colour-net.zip");
        ModelSerializer.writeModel(KnownAnswerNets.colourNet(), colourModel.toFile(), false);
        edgeModel = dir.resolve("edge-net.zip");
        ModelSerializer.writeModel(KnownAnswerNets.edgeNet(), edgeModel.toFile(), false);
        BufferedImage g = new BufferedImage(40, 24, BufferedImage.TYPE_INT_RGB);
        BufferedImage n = new BufferedImage(40, 24, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(7);
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 40; x++) {
                g.setRGB(x, y, 0x808080);
                n.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        grey = dir.resolve("grey.png");
        noise = dir.resolve("noise.png");
        ImageIO.write(g, "png", grey.toFile());
        ImageIO.write(n, "png", noise.toFile());
    }

    static double redMinusGreen(Path png) {
        INDArray img = ImageFiles.readOriginalSize(png);
        return img.get(NDArrayIndex.point(0), NDArrayIndex.point(0)).meanNumber().doubleValue()
                - img.get(NDArrayIndex.point(0), NDArrayIndex.point(1)).meanNumber().doubleValue();
    }

    @Test
    void dreamsTheRedChannelIntoAPngOfThePhotosSizeWithProvenanceAndJson() throws Exception {
        Path out = dir.resolve("red-dream.png");
        Cli r = Cli.run("dream", "--model", colourModel.toString(), "--input", grey.toString(), "--layer", "colour",
                "--index", "0", "--steps", "3", "--octaves=-1..1", "--output", out.toString(), "--json");
        assertEquals(0, r.exit(), r.toString());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(out.toString(), json.get("output").asText());
        assertEquals("[40,24]", json.get("size").toString());
        assertTrue(json.get("seconds").asDouble() > 0);
        BufferedImage img = ImageIO.read(out.toFile());
        assertEquals(40, img.getWidth());
        assertEquals(24, img.getHeight());
        assertTrue(redMinusGreen(out) - redMinusGreen(grey) > 0.15, "not redder: " + redMinusGreen(out));
        Map<String, String> text = PngWriter.readText(out);
        assertTrue(text.get("Software").startsWith("featviz "), text.toString());
        assertEquals("colour", text.get("featviz:layer"));
        assertEquals("0", text.get("featviz:index"));
        assertEquals("-1..1", text.get("featviz:octaves"));
        assertEquals("3", text.get("featviz:steps"));
        assertEquals("0.01", text.get("featviz:step-size"));
        assertEquals("512", text.get("featviz:tile"));
        assertEquals("0", text.get("featviz:seed"));
        assertEquals("grey.png", text.get("featviz:input"));
        assertEquals("colour-net", text.get("featviz:model"));
        assertTrue(text.containsKey("featviz:weights"), text.toString());
    }

    @Test
    void theSameSeedGivesTheSameBytesAndAnotherSeedOtherPixels() throws Exception {
        Path a = dir.resolve("a.png");
        Path b = dir.resolve("b.png");
        Path c = dir.resolve("c.png");
        for (String[] run : new String[][] {{"5", a.toString()}, {"5", b.toString()}, {"6", c.toString()}}) {
            Cli r = Cli.run("dream", "--model", edgeModel.toString(), "--input", noise.toString(), "--layer", "edges",
                    "--steps", "2", "--tile", "16", "--seed", run[0], "--output", run[1]);
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.err().contains("octave 5/5 67x40"), r.err());
            assertTrue(r.err().strip().endsWith("wrote " + run[1]), r.err());
        }
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertFalse(ImageFiles.readOriginalSize(a).equals(ImageFiles.readOriginalSize(c)), "the seed changed nothing");
    }

    @Test
    void bf16DreamsAreRecordedReproducibleAndNotFp32s() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(featviz.model.op.Precision.BF16.unavailableReason() == null,
                "no bf16 on this CPU");
        Path fp32 = dir.resolve("fp32.png");
        Path bf16 = dir.resolve("bf16.png");
        Path again = dir.resolve("bf16-again.png");
        for (String[] run : new String[][] {{"fp32", fp32.toString()}, {"bf16", bf16.toString()}, {"bf16", again.toString()}}) {
            Cli r = Cli.run("dream", "--model", edgeModel.toString(), "--input", noise.toString(), "--layer", "edges",
                    "--steps", "2", "--tile", "16", "--seed", "5", "--precision", run[0], "--output", run[1], "-q");
            assertEquals(0, r.exit(), r.toString());
        }
        assertArrayEquals(Files.readAllBytes(bf16), Files.readAllBytes(again));
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(fp32), Files.readAllBytes(bf16)), "bf16 rounds the convolutions");
        String text = new String(Files.readAllBytes(bf16), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("--precision") && text.contains("bf16"), "the options to dream it again say bf16");
        assertFalse(new String(Files.readAllBytes(fp32), java.nio.charset.StandardCharsets.ISO_8859_1).contains("--precision"));
    }

    @Test
    void anUnknownPrecisionIsOneLineExit2() {
        assertOneLineError(Cli.run("dream", "--model", colourModel.toString(), "--input", grey.toString(),
                "--layer", "colour", "--precision", "fp8"), 2, "unknown --precision 'fp8'");
    }

    @Test
    void missingInputIsOneLineExit2() {
        assertOneLineError(Cli.run("dream", "--model", colourModel.toString(), "--input", dir.resolve("nope.jpg").toString(),
                "--layer", "colour"), 2, "nope.jpg", "no such file");
    }

    @Test
    void anInputThatIsNoImageIsOneLineExit2() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.jpg"), "not a picture");
        assertOneLineError(Cli.run("dream", "--model", colourModel.toString(), "--input", text.toString(),
                "--layer", "colour"), 2, "notes.jpg");
    }

    @Test
    void unknownLayerIsOneLineExit2() {
        assertOneLineError(Cli.run("dream", "--model", colourModel.toString(), "--input", grey.toString(),
                "--layer", "colur"), 2, "unknown layer 'colur'", "colour");
    }

    @Test
    void anInputTooSmallForTheLayerIsOneLineExit2() throws Exception {
        // a 15x15 convolution without padding: 40x24 fits, but octave -2 makes it 23x14
        Path wide = dir.resolve("wide-net.zip");
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new ConvolutionLayer.Builder(15, 15).name("wide").nIn(3).nOut(2)
                        .convolutionMode(ConvolutionMode.Truncate).build())
                .setInputType(InputType.convolutional(32, 32, 3)).build());
        net.init();
        ModelSerializer.writeModel(net, wide.toFile(), false);
        assertOneLineError(Cli.run("dream", "--model", wide.toString(), "--input", grey.toString(), "--layer", "wide"),
                2, "grey.png (40x24) is too small for wide", "23x14", "--octaves");
    }

    @Test
    void badOptionsAreOneLineExit2() {
        String m = colourModel.toString();
        String in = grey.toString();
        assertOneLineError(Cli.run("dream", "--model", m, "--input", in, "--layer", "colour", "--octaves", "2..-2"),
                2, "--octaves", "backwards");
        assertOneLineError(Cli.run("dream", "--model", m, "--input", in, "--layer", "colour", "--octaves", "a..b"),
                2, "--octaves 'a..b'");
        assertOneLineError(Cli.run("dream", "--model", m, "--input", in, "--layer", "colour", "--index", "3"),
                2, "--index 3 is out of range", "3 channels");
        assertOneLineError(Cli.run("dream", "--model", m, "--input", in, "--layer", "colour", "--tile", "4"),
                2, "--tile");
        assertOneLineError(Cli.run("dream", "--model", m, "--input", in), 2, "--layer");
    }
}
