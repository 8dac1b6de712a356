package featviz.cli;

import static featviz.cli.AnalysisCommandsTest.solid;
import static featviz.cli.MaximizeCommandTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.KnownAnswerNets;
import featviz.dataset.FashionMnist;
import featviz.dataset.LabeledImages;
import featviz.io.ImageFiles;
import featviz.job.Manifest;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * {@code maximize --examples}: quality scores end to end. On the colour network (channel k = colour k minus half
 * of each other colour) every score is worked out from the written PNG by hand; on the embedded model the
 * lucid renders are superstimuli.
 */
class QualityScoresCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path colourModel;
    static Path real;

    @BeforeAll
    static void setUp() throws Exception {
        colourModel = dir.resolve("colour-net.zip");
        ModelSerializer.writeModel(KnownAnswerNets.colourNet(), colourModel.toFile(), false);
        // Real images, colour vectors by hand: A (0.6,-0.3,-0.3), B (0.2,-0.1,-0.1), C (-0.5,1,-0.5), D (-0.3,-0.3,0.6)
        real = dir.resolve("real");
        solid(real.resolve("a.png"), 153, 0, 0);
        solid(real.resolve("b.png"), 102, 51, 51);
        solid(real.resolve("c.png"), 0, 255, 0);
        solid(real.resolve("d.png"), 0, 0, 153);
    }

    /** The colour network's channel means of a PNG, from its 8-bit levels. */
    static double[] colourVector(Path png) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        double[] v = new double[3];
        int n = img.getWidth() * img.getHeight();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                double[] c = {(rgb >> 16 & 255) / 255.0, (rgb >> 8 & 255) / 255.0, (rgb & 255) / 255.0};
                for (int k = 0; k < 3; k++) {
                    v[k] += (c[k] - (c[0] + c[1] + c[2] - c[k]) / 2) / n;
                }
            }
        }
        return v;
    }

    static double cos(double[] a, double[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }

    @Test
    void jsonCarriesTheScoresOfTheWrittenImage() throws Exception {
        Path out = dir.resolve("red.png");
        Cli r = Cli.run("maximize", "--model", colourModel.toString(), "--layer", "colour", "--index", "0", "--size", "8",
                "--preset", "tutorial", "--steps", "8", "--examples", real.toString(), "--quality-layer", "colour",
                "--quality-top", "2", "--output", out.toString(), "--json", "-q");
        assertEquals(0, r.exit(), r.toString());
        JsonNode q = JSON.readTree(r.out()).get("quality");
        assertNotNull(q, r.out());
        double[] v = colourVector(out);
        assertEquals(v[0], q.get("activation").asDouble(), 1e-5);
        assertEquals(0.6, q.get("best_real").asDouble(), 1e-6);
        assertEquals(v[0] / 0.6, q.get("superstimulus").asDouble(), 1e-5);
        assertTrue(q.get("superstimulus").asDouble() > 1, r.out()); // 8 steps of ascent beat the dim reds
        // channel 0's top 2 real images are A and B: mean (0.4, -0.2, -0.2)
        assertEquals(cos(v, new double[] {0.4, -0.2, -0.2}), q.get("plausibility").asDouble(), 1e-5);
        assertEquals("colour", q.get("layer").asText());
        assertEquals(2, q.get("top").asInt());
        assertEquals(4, q.get("images").asInt());
    }

    @Test
    void aWholeLayerIsScoredPerChannelInJsonManifestAndGalleryAndAFinishedJobGetsScoresWithoutRendering() throws Exception {
        Path out = dir.resolve("layer");
        String[] render = {"maximize", "--model", colourModel.toString(), "--layer", "colour", "--index", "all",
            "--batch", "3", "--size", "8", "--preset", "tutorial", "--steps", "4", "--output", out + "/", "--json", "-q"};
        Cli first = Cli.run(render);
        assertEquals(0, first.exit(), first.toString());
        assertEquals(3, first.out().lines().count());
        assertTrue(Manifest.load(out).entries().stream().allMatch(e -> e.quality() == null));

        String[] scored = java.util.stream.Stream.concat(java.util.Arrays.stream(render), java.util.stream.Stream.of(
                "--examples", real.toString(), "--quality-layer", "colour", "--quality-top", "1")).toArray(String[]::new);
        Cli second = Cli.run(scored);
        assertEquals(0, second.exit(), second.toString());
        assertEquals("", second.out().strip(), "nothing rendered again");
        List<Manifest.Render> renders = Manifest.load(out).entries();
        assertEquals(3, renders.size());
        double[] best = {0.6, 1.0, 0.6}; // A, C, D
        double[][] top = {{0.6, -0.3, -0.3}, {-0.5, 1, -0.5}, {-0.3, -0.3, 0.6}};
        for (Manifest.Render e : renders) {
            double[] v = colourVector(e.path(out));
            Manifest.Quality q = e.quality();
            assertNotNull(q, e.toString());
            assertEquals(v[e.channel()] / best[e.channel()], q.superstimulus(), 1e-5, e.toString());
            assertEquals(cos(v, top[e.channel()]), q.plausibility(), 1e-5, e.toString());
        }

        Path gallery = dir.resolve("gallery");
        Cli g = Cli.run("gallery", out.toString(), "--output", gallery.toString());
        assertEquals(0, g.exit(), g.toString());
        String html = Files.readString(gallery.resolve("index.html"));
        assertEquals(3, html.split("class=\"quality\"", -1).length - 1, html);
        Manifest.Render zero = renders.get(0);
        assertTrue(html.contains("data-superstimulus=\"" + zero.quality().superstimulus() + "\""), html);
    }

    @Test
    void examplesWithoutAReadableImageOrAModelWithoutAPenultimateLayerAreOneLine() throws Exception {
        Path junk = Files.createDirectories(dir.resolve("junk"));
        Files.writeString(junk.resolve("readme.txt"), "not an image");
        Path out = dir.resolve("never.png");
        Cli r = Cli.run("maximize", "--model", colourModel.toString(), "--layer", "colour", "--size", "8", "--steps", "2",
                "--examples", junk.toString(), "--quality-layer", "colour", "--output", out.toString(), "-q");
        assertOneLineError(r, 2, "no readable images");
        assertFalse(Files.exists(out));
        Cli none = Cli.run("maximize", "--model", colourModel.toString(), "--layer", "colour", "--size", "8", "--steps", "2",
                "--examples", real.toString(), "--output", out.toString(), "-q");
        assertOneLineError(none, 2, "--quality-layer");
        assertFalse(Files.exists(out));
        Cli missing = Cli.run("maximize", "--model", colourModel.toString(), "--layer", "colour", "--size", "8",
                "--examples", dir.resolve("nowhere").toString(), "--quality-layer", "colour", "--output", out.toString());
        assertOneLineError(missing, 2, "nowhere");
        Cli unscored = Cli.run("maximize", "--model", colourModel.toString(), "--layer", "colour", "--size", "8",
                "--steps", "2", "--output", out.toString(), "--json", "-q");
        assertNull(JSON.readTree(unscored.out()).get("quality"), unscored.out());
    }

    @Test
    void embeddedModelsLucidClassAndChannelRendersAreSuperstimuli() throws Exception {
        LabeledImages test = FashionMnist.locate().test();
        Path images = Files.createDirectories(dir.resolve("fashion"));
        for (int i = 0; i < 40; i++) {
            ImageIO.write(ImageFiles.toImage(test.batch(i, i + 1, DataType.FLOAT)), "png", images.resolve(i + ".png").toFile());
        }
        Cli boot = Cli.run("maximize", "--model", "fashion-mnist", "--objective", "class(ankle_boot)", "--size", "28",
                "--steps", "64", "--examples", images.toString(), "--output", dir.resolve("boot.png").toString(), "--json", "-q");
        assertEquals(0, boot.exit(), boot.toString());
        JsonNode q = JSON.readTree(boot.out()).get("quality");
        assertTrue(q.get("superstimulus").asDouble() > 1, boot.out()); // measured 1.16 (64 steps, 40 images)
        assertEquals("gap", q.get("layer").asText()); // the penultimate layer: what the classifier reads
        assertTrue(q.get("plausibility").asDouble() > 0.5, boot.out());

        Cli channel = Cli.run("maximize", "--model", "fashion-mnist", "--layer", "relu5", "--index", "3", "--size", "28",
                "--steps", "32", "--examples", images.toString(), "--output", dir.resolve("relu5-3.png").toString(), "--json", "-q");
        assertEquals(0, channel.exit(), channel.toString());
        assertTrue(JSON.readTree(channel.out()).get("quality").get("superstimulus").asDouble() > 1, channel.out());
    }
}
