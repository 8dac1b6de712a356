package featviz.cli;

import static featviz.cli.MaximizeCommandTest.assertOneLineError;
import static featviz.cli.MaximizeCommandTest.files;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.KnownAnswerNets;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * predict, activations, embed and examples end to end on networks with hand-set weights: the colour network
 * (channel k = colour k minus half of each other colour) makes every CSV value computable by hand.
 */
class AnalysisCommandsTest {
    @TempDir
    static Path dir;
    static Path colourModel;
    static Path denseModel;
    static MultiLayerNetwork dense;
    static Path reds;
    static Path greens;

    /** An 8x8 PNG of one colour (8-bit levels). */
    static Path solid(Path file, int r, int g, int b) throws Exception {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                img.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    @BeforeAll
    static void setUp() throws Exception {
        colourModel = dir.resolve("colour-net.zip");
        ModelSerializer.writeModel(KnownAnswerNets.colourNet(), colourModel.toFile(), false);
        dense = KnownAnswerNets.colourClassifier();
        denseModel = dir.resolve("dense-net.zip");
        ModelSerializer.writeModel(dense, denseModel.toFile(), false);
        reds = dir.resolve("data/red");
        greens = dir.resolve("data/green");
        for (int i = 0; i < 5; i++) {
            solid(reds.resolve("r" + i + ".png"), 255, 51 * i, 0);     // channel 0: 1 - 0.1 i
            solid(greens.resolve("g" + i + ".png"), 0, 255, 51 * i);   // channel 1: 1 - 0.1 i
        }
    }

    static String[] args(Object... parts) {
        return java.util.Arrays.stream(parts).map(Object::toString).toArray(String[]::new);
    }

    @Test
    void activationsCsvIsTheForwardPassAndThePlotHasItsSize() throws Exception {
        Path out = Files.createDirectories(dir.resolve("act"));
        Path a = solid(out.resolve("a.png"), 255, 0, 0);
        Path b = solid(out.resolve("b.png"), 51, 153, 255);
        Cli r = Cli.run(args("activations", a, b, "--model", colourModel, "--layer", "colour", "--size", 8,
                "--csv", out.resolve("acts.csv"), "--plot", out.resolve("acts.png"), "--plot-size", "640x360", "--top", 2, "-q"));
        assertEquals(0, r.exit(), r.toString());
        List<String> lines = Files.readAllLines(out.resolve("acts.csv"));
        assertEquals("image,0,1,2", lines.get(0));
        double[][] expected = {{1, -0.5, -0.5}, {0.2 - 0.8, 0.6 - 0.6, 1.0 - 0.4}};
        INDArray dl4j = KnownAnswerNets.colourNet().output(Nd4j.create(new float[] {0.2f, 0.6f, 1f}, new long[] {1, 3, 1, 1}));
        for (int i = 0; i < 2; i++) {
            String[] cells = lines.get(i + 1).split(",");
            assertEquals((i == 0 ? a : b).toString(), cells[0]);
            for (int c = 0; c < 3; c++) {
                assertEquals(expected[i][c], Double.parseDouble(cells[c + 1]), 1e-6, "image " + i + " channel " + c);
            }
        }
        for (int c = 0; c < 3; c++) {
            assertEquals(dl4j.getDouble(0, c, 0, 0), Double.parseDouble(lines.get(2).split(",")[c + 1]), 1e-6);
        }
        assertTrue(r.out().contains(a + "  0:1.000  1:-0.5000"), r.out());
        BufferedImage plot = ImageIO.read(out.resolve("acts.png").toFile());
        assertEquals(640, plot.getWidth());
        assertEquals(360, plot.getHeight());
    }

    @Test
    void embedWritesHandComputableDistancesAndTheSameMapsTwice() throws Exception {
        Path probe = solid(dir.resolve("probe/p.png"), 255, 0, 0);
        Path out1 = dir.resolve("embed1");
        Path out2 = dir.resolve("embed2");
        for (Path out : List.of(out1, out2)) {
            Cli r = Cli.run(args("embed", reds, greens, "--model", colourModel, "--layer", "colour", "--size", 8,
                    "--probe", probe, "--perplexity", 2, "--iterations", 300, "--plot-size", "500x400", "--output", out,
                    "--json", "-q"));
            assertEquals(0, r.exit(), r.toString());
            JsonNode json = new ObjectMapper().readTree(r.out());
            assertEquals(5, json.get("groups").get(0).get("images").asInt());
        }
        // Red image i: (1 - 0.1 i) * ... exactly: r=1, g=0.2 i, b=0 -> (1 - 0.1 i, 0.2 i - 0.5, -0.5 - 0.1 i).
        double[][] red = new double[5][];
        double[][] green = new double[5][];
        for (int i = 0; i < 5; i++) {
            red[i] = new double[] {1 - 0.1 * i, 0.2 * i - 0.5, -0.5 - 0.1 * i};
            green[i] = new double[] {-0.5 - 0.1 * i, 1 - 0.1 * i, 0.2 * i - 0.5};
        }
        double within = 0;
        double between = 0;
        double probeToGreen = 0;
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                within += i == j ? 0 : featviz.analysis.Distances.l2(red[i], red[j]) / 20;
                between += featviz.analysis.Distances.l2(red[i], green[j]) / 25;
            }
            probeToGreen += featviz.analysis.Distances.l2(red[0], green[i]) / 5;
        }
        List<String> rows = Files.readAllLines(out1.resolve("distances.csv"));
        assertEquals("kind,from,to,pairs,mean_l2,mean_cosine", rows.get(0));
        assertTrue(rows.get(1).startsWith("within,red,red,10,"), rows.get(1));
        assertTrue(rows.get(2).startsWith("within,green,green,10,"), rows.get(2));
        assertTrue(rows.get(3).startsWith("between,red,green,25,"), rows.get(3));
        assertEquals(within, Double.parseDouble(rows.get(1).split(",")[4]), 1e-5);
        assertEquals(within, Double.parseDouble(rows.get(2).split(",")[4]), 1e-5); // green is red with channels rotated
        assertEquals(between, Double.parseDouble(rows.get(3).split(",")[4]), 1e-5);
        assertEquals(probeToGreen, Double.parseDouble(rows.get(5).split(",")[4]), 1e-5);
        assertTrue(rows.get(4).startsWith("probe," + probe + ",red,5,"), rows.get(4));
        assertTrue(rows.get(5).startsWith("probe," + probe + ",green,5,"), rows.get(5));
        for (String f : List.of("distances.csv", "pca.csv", "tsne.csv", "pca.png", "tsne.png")) {
            assertArrayEquals(Files.readAllBytes(out1.resolve(f)), Files.readAllBytes(out2.resolve(f)), f + " differs between runs");
        }
        BufferedImage map = ImageIO.read(out1.resolve("tsne.png").toFile());
        assertEquals(500, map.getWidth());
        assertEquals(400, map.getHeight());
        List<String> tsne = Files.readAllLines(out1.resolve("tsne.csv"));
        assertEquals(1 + 11, tsne.size());
        assertTrue(tsne.get(11).startsWith("probe," + probe + ",true,"), tsne.get(11));
    }

    @Test
    void examplesRankImagesByTheirStrongestPosition() throws Exception {
        Path data = dir.resolve("ex-data");
        for (int i = 0; i < 4; i++) {
            solid(data.resolve("s" + i + ".png"), 60 * i, 0, 0); // channel 0 = 60 i / 255
        }
        Files.writeString(data.resolve("notes.txt"), "not an image");
        Path out = dir.resolve("ex-out");
        Cli r = Cli.run(args("examples", data, "--model", colourModel, "--layer", "colour", "--size", 8, "--index", "0,1",
                "--top", 2, "--crop", 4, "--output", out));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("warning: skipped " + data.resolve("notes.txt")), r.err());
        assertTrue(r.err().contains("1 unreadable files skipped"), r.err());
        JsonNode json = new ObjectMapper().readTree(out.resolve("examples.json").toFile());
        assertEquals(4, json.get("images").asInt());
        assertEquals(1, json.get("skipped").asInt());
        JsonNode red = json.get("channels").get("0");
        assertEquals(data.resolve("s3.png").toString(), red.get(0).get("file").asText());
        assertEquals(data.resolve("s2.png").toString(), red.get(1).get("file").asText());
        assertEquals(180 / 255.0, red.get(0).get("activation").asDouble(), 1e-6);
        JsonNode green = json.get("channels").get("1"); // -0.5 x red: black s0 is best, then s1
        assertEquals(data.resolve("s0.png").toString(), green.get(0).get("file").asText());
        BufferedImage crop = ImageIO.read(out.resolve("0000/01.png").toFile());
        assertEquals(4, crop.getWidth());
        assertEquals(180, crop.getRGB(0, 0) >> 16 & 255);
    }

    @Test
    void predictGivesDl4jsProbabilitiesWithLabels() throws Exception {
        Path img = solid(dir.resolve("pred/x.png"), 200, 30, 90);
        Path labels = dir.resolve("pred/labels.txt");
        Files.writeString(labels, "cat\ndog\n");
        Cli r = Cli.run(args("predict", img, "--model", denseModel + "," + denseModel, "--size", 4, "--labels", labels, "--json"));
        assertEquals(0, r.exit(), r.toString());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(2, json.size());
        INDArray pixels = Nd4j.create(DataType.FLOAT, 1, 3, 4, 4);
        float[] rgb = {200 / 255f, 30 / 255f, 90 / 255f};
        for (int c = 0; c < 3; c++) {
            pixels.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(c)).assign(rgb[c]);
        }
        double[] p = dense.output(pixels).toDoubleVector();
        int best = p[0] >= p[1] ? 0 : 1;
        JsonNode top = json.get(0).get("predictions");
        assertEquals(best, top.get(0).get("index").asInt());
        assertEquals(best == 0 ? "cat" : "dog", top.get(0).get("label").asText());
        assertEquals(p[best], top.get(0).get("probability").asDouble(), 1e-6);
        assertEquals(1.0, top.get(0).get("probability").asDouble() + top.get(1).get("probability").asDouble(), 1e-6);
        assertEquals("scores", json.get(0).get("output_layer").asText());
        Cli table = Cli.run(args("predict", img, "--model", denseModel, "--size", 4, "--top", 1));
        assertEquals(0, table.exit(), table.toString());
        assertTrue(table.out().lines().skip(1).findFirst().orElse("").endsWith(best + "  " + best), table.out());
    }

    // --- bad input: one line, exit 2, nothing written ---

    @Test
    void emptyDirectoryIsOneLine() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path out = dir.resolve("never1");
        assertOneLineError(Cli.run(args("embed", empty, "--model", colourModel, "--layer", "colour", "--size", 8,
                "--output", out)), 2, "directory " + empty + " holds no image files");
        assertOneLineError(Cli.run(args("examples", empty, "--model", colourModel, "--layer", "colour", "--size", 8,
                "--output", out)), 2, "holds no image files");
        assertFalse(Files.exists(out));
    }

    @Test
    void aDirectoryOfNonImagesIsOneLineAndStrictStopsAtTheFirst() throws Exception {
        Path junk = Files.createDirectories(dir.resolve("junk"));
        Files.writeString(junk.resolve("a.txt"), "text");
        Path out = dir.resolve("never2");
        assertOneLineError(Cli.run(args("embed", junk, "--model", colourModel, "--layer", "colour", "--size", 8,
                "--output", out, "-q", "--no-tsne")), 2, "no readable images in " + junk, "1 files skipped");
        assertOneLineError(Cli.run(args("embed", junk, "--model", colourModel, "--layer", "colour", "--size", 8,
                "--output", out, "-q")), 2, "t-SNE needs at least 4 points, not 1", "--no-tsne");
        Path mixed = Files.createDirectories(dir.resolve("mixed"));
        solid(mixed.resolve("b.png"), 1, 2, 3);
        solid(mixed.resolve("c.png"), 1, 2, 3);
        solid(mixed.resolve("d.png"), 1, 2, 3);
        Files.writeString(mixed.resolve("a.txt"), "text");
        assertOneLineError(Cli.run(args("embed", mixed, "--model", colourModel, "--layer", "colour", "--size", 8,
                "--output", out, "--strict", "--no-tsne")), 2, "a.txt", "--strict");
        assertOneLineError(Cli.run(args("examples", mixed, "--model", colourModel, "--layer", "colour", "--size", 8,
                "--output", out, "--strict")), 2, "a.txt", "--strict");
        assertFalse(Files.exists(out));
    }

    @Test
    void examplesOfALayerWithoutPositionsIsOneLine() throws Exception {
        Path out = dir.resolve("never3");
        assertOneLineError(Cli.run(args("examples", reds, "--model", denseModel, "--layer", "scores", "--size", 4,
                "--output", out)), 2, "spatial positions", "scores outputs 2 units");
        assertFalse(Files.exists(out));
    }

    @Test
    void moreProbesThanImagesIsOneLine() throws Exception {
        Path one = dir.resolve("one");
        solid(one.resolve("x.png"), 1, 2, 3);
        Path out = dir.resolve("never4");
        assertOneLineError(Cli.run(args("embed", one, "--model", colourModel, "--layer", "colour", "--size", 8,
                "--probe", reds.resolve("r0.png"), reds.resolve("r1.png"), "--no-tsne", "--output", out)), 2,
                "2 probes but only 1 images");
        assertFalse(Files.exists(out));
    }

    @Test
    void perplexityTooLargeIsOneLineBeforeAnyWork() {
        Path out = dir.resolve("never5");
        assertOneLineError(Cli.run(args("embed", reds, greens, "--model", colourModel, "--layer", "colour", "--size", 8,
                "--output", out)), 2, "perplexity 30 is too large for 10 points", "--perplexity 3 or less");
        assertFalse(Files.exists(out));
    }

    @Test
    void unreadableImagesNamedOnTheCommandLineAreOneLine() throws Exception {
        Path bad = dir.resolve("bad/photo.jpg");
        Files.createDirectories(bad.getParent());
        Files.write(bad, new byte[] {1, 2, 3});
        assertOneLineError(Cli.run(args("predict", bad, "--model", denseModel, "--size", 4)), 2, "photo.jpg");
        Path csv = dir.resolve("bad/a.csv");
        assertOneLineError(Cli.run(args("activations", bad, "--model", colourModel, "--layer", "colour", "--size", 8,
                "--csv", csv, "--plot", dir.resolve("bad/a.png"))), 2, "photo.jpg");
        assertOneLineError(Cli.run(args("embed", reds, "--model", colourModel, "--layer", "colour", "--size", 8,
                "--probe", bad, "--no-tsne", "--output", dir.resolve("bad/out"))), 2, "photo.jpg");
        assertEquals(List.of(bad), files(bad.getParent()));
    }

    @Test
    void badPlotSizeAndModelWithoutClassifierAreOneLine() {
        assertOneLineError(Cli.run(args("activations", reds.resolve("r0.png"), "--model", colourModel, "--layer", "colour",
                "--plot-size", "big")), 2, "--plot-size big");
        assertOneLineError(Cli.run(args("predict", reds.resolve("r0.png"), "--model", colourModel, "--size", 8)), 2,
                "has no classifier output");
    }
}
