package featviz.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.TestNets;
import featviz.io.ImageFiles;
import featviz.io.PngWriter;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** The Lucid-grade options end to end: presets, objective expressions, snapshots, animation, --like. */
class LucidRenderingTest {
    @TempDir
    static Path dir;
    static Path residual;

    @BeforeAll
    static void saveModel() throws Exception {
        residual = dir.resolve("residual.zip");
        ModelSerializer.writeModel(TestNets.residualGraph(5, DataType.FLOAT, 32), residual.toFile(), false);
    }

    /** Share of the grey image's spectral energy (mean removed) above half the Nyquist frequency. */
    static double highFrequencyShare(Path png) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        int n = img.getWidth();
        double[][] g = new double[n][n];
        double mean = 0;
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int rgb = img.getRGB(x, y);
                g[y][x] = (((rgb >> 16) & 255) + ((rgb >> 8) & 255) + (rgb & 255)) / 3.0;
                mean += g[y][x] / (n * n);
            }
        }
        double high = 0, total = 0;
        for (int u = 0; u < n; u++) {
            for (int v = 0; v < n; v++) {
                double re = 0, im = 0;
                for (int y = 0; y < n; y++) {
                    for (int x = 0; x < n; x++) {
                        double a = -2 * Math.PI * ((double) u * y / n + (double) v * x / n);
                        re += (g[y][x] - mean) * Math.cos(a);
                        im += (g[y][x] - mean) * Math.sin(a);
                    }
                }
                double power = re * re + im * im;
                double fu = Math.min(u, n - u) / (double) n, fv = Math.min(v, n - v) / (double) n;
                total += power;
                if (Math.sqrt(fu * fu + fv * fv) > 0.25) {
                    high += power;
                }
            }
        }
        return high / total;
    }

    @Test
    void theLucidPresetHasLessHighFrequencyEnergyThanTheTutorial() throws Exception {
        Path tutorial = dir.resolve("tutorial.png");
        Path lucid = dir.resolve("lucid.png");
        String[] common = {"maximize", "--weights", "random", "--layer", "block3_conv1", "--index", "5", "--size", "48",
            "--steps", "48", "--quiet"};
        assertEquals(0, Cli.run(concat(common, "--preset", "tutorial", "--output", tutorial.toString())).exit());
        assertEquals(0, Cli.run(concat(common, "--preset", "lucid", "--output", lucid.toString())).exit());
        double t = highFrequencyShare(tutorial);
        double l = highFrequencyShare(lucid);
        assertTrue(l < 0.5 * t, "high-frequency share: lucid " + l + ", tutorial " + t);
    }

    @Test
    void anObjectiveExpressionWithAClassLogitAndPenaltiesRenders() throws Exception {
        Path out = dir.resolve("expr.png");
        Cli r = Cli.run("maximize", "--model", residual.toString(), "--objective",
                "class(out:2) + 0.5*act2:1 - 0.25*deepdream(conv3) + 0.05*tv", "--size", "32", "--steps", "12",
                "--output", out.toString(), "--json");
        assertEquals(0, r.exit(), r.toString());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertTrue(json.get("objective_last").asDouble() > json.get("objective_first").asDouble(), r.out());
        assertTrue(PngWriter.readText(out).get("featviz:objective").contains("class(out, 2)"),
                PngWriter.readText(out).toString());
    }

    @Test
    void aMalformedObjectivePointsAtTheColumn() {
        Cli r = Cli.run("maximize", "--model", residual.toString(), "--objective", "act2:1 + * tv");
        assertEquals(2, r.exit(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.toString());
        assertTrue(r.err().contains("column 10"), r.err());
    }

    @Test
    void thresholdsWriteSnapshotsAndAnimateWritesALoopingGif() throws Exception {
        Path out = dir.resolve("snap.png");
        Path gif = dir.resolve("run.gif");
        Cli r = Cli.run("maximize", "--model", residual.toString(), "--layer", "act2", "--index", "1", "--size", "32",
                "--steps", "8", "--thresholds", "2,5", "--animate", gif.toString(), "--animate-every", "2",
                "--output", out.toString(), "--quiet");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(Files.isRegularFile(dir.resolve("snap_2.png")) && Files.isRegularFile(dir.resolve("snap_5.png")));
        try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
            reader.setInput(in);
            assertEquals(5, reader.getNumImages(true)); // steps 1, 2, 4, 6, 8
        }
        assertEquals(2, Cli.run("maximize", "--model", residual.toString(), "--layer", "act2", "--steps", "8",
                "--thresholds", "9").exit());
    }

    @Test
    void likeRendersTheSameBytesAndSaysWhenTheWeightsDiffer() throws Exception {
        Path first = dir.resolve("first.png");
        Cli a = Cli.run("maximize", "--weights", "random", "--layer", "block2_conv1", "--index", "7", "--size", "32",
                "--steps", "6", "--seed", "3", "--quiet", "--output", first.toString());
        assertEquals(0, a.exit(), a.toString());
        Path again = dir.resolve("again.png");
        Cli b = Cli.run("maximize", "--like", first.toString(), "--output", again.toString(), "--quiet");
        assertEquals(0, b.exit(), b.toString());
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(again));

        Path other = dir.resolve("other.png");
        Cli c = Cli.run("maximize", "--like", first.toString(), "--weights-seed", "1", "--output", other.toString(),
                "--quiet");
        assertEquals(0, c.exit(), c.toString());
        assertTrue(c.err().contains("was rendered with weights 'random seed 0'"), c.err());
        Map<String, String> text = PngWriter.readText(other);
        assertEquals("random seed 1", text.get("featviz:weights"));
        assertEquals("7", text.get("featviz:index"));
        assertEquals(32, ImageFiles.toArray(ImageIO.read(other.toFile())).size(3));
    }

    static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
