package featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.job.Manifest;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --preset maco and --spectrum-from on the command line: whole layers, determinism, and the user's mistakes. */
class MacoCommandTest {
    @TempDir
    Path dir;

    private static final String[] LAYER = {"maximize", "--model", "fashion-mnist", "--layer", "relu1", "--index", "all",
        "--size", "28", "--steps", "2", "--preset", "maco", "--transforms", "crop:0.5-1:28,noise:0.04", "--quiet"};

    private static String[] with(String[] base, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of(base));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    private static Path image(Path dir, String name, int type) throws Exception {
        BufferedImage img = new BufferedImage(12, 12, type);
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 12; x++) {
                img.setRGB(x, y, ((x * 20) << 16) | ((y * 20) << 8) | ((x + y) * 10));
            }
        }
        Path p = dir.resolve(name);
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    @Test
    void aWholeLayerRendersInBatchesWithTheSameBytesForTheSameSeedAndBatch() throws Exception {
        Cli first = Cli.run(with(LAYER, "--batch", "8", "--output", dir.resolve("a") + "/"));
        assertEquals(0, first.exit(), first.toString());
        Cli again = Cli.run(with(LAYER, "--batch", "8", "--output", dir.resolve("b") + "/"));
        assertEquals(0, again.exit(), again.toString());
        List<Path> a = LayerRenderTest.pngs(dir.resolve("a"));
        List<Path> b = LayerRenderTest.pngs(dir.resolve("b"));
        long channels = Manifest.load(dir.resolve("a")).size();
        assertTrue(channels > 8, "a whole layer in several batches: " + channels);
        assertEquals(channels, a.size());
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertTrue(java.util.Arrays.equals(Files.readAllBytes(a.get(i)), Files.readAllBytes(b.get(i))),
                    "same seed and batch, other bytes: " + a.get(i).getFileName());
        }
    }

    @Test
    void aSpectrumFromGreyImagesIsUsedAndRecorded() throws Exception {
        Path images = Files.createDirectories(dir.resolve("grey"));
        image(images, "a.png", BufferedImage.TYPE_BYTE_GRAY);
        image(images, "b.png", BufferedImage.TYPE_BYTE_GRAY);
        Files.writeString(images.resolve("README.txt"), "not an image, skipped");
        Path out = dir.resolve("one.png");
        Cli r = Cli.run("maximize", "--model", "fashion-mnist", "--objective", "class(bag)", "--preset", "maco", "--size",
                "28", "--steps", "2", "--spectrum-from", images.toString(), "--output", out.toString(), "--quiet");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(Files.size(out) > 0);
    }

    private void assertUsageError(String expectedPart, String... args) {
        Cli r = Cli.run(args);
        assertEquals(2, r.exit(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains(expectedPart), r.err());
    }

    @Test
    void badInputIsOneLineAndExit2() throws Exception {
        String[] render = {"maximize", "--model", "fashion-mnist", "--objective", "class(bag)", "--size", "28", "--steps",
            "1", "--output", dir.resolve("x.png").toString(), "--quiet"};
        Path empty = Files.createDirectories(dir.resolve("nothing"));
        Files.writeString(empty.resolve("notes.txt"), "no image here");
        assertUsageError("no readable image", with(render, "--preset", "maco", "--spectrum-from", empty.toString()));
        Path mixed = Files.createDirectories(dir.resolve("mixed"));
        image(mixed, "grey.png", BufferedImage.TYPE_BYTE_GRAY);
        image(mixed, "colour.png", BufferedImage.TYPE_INT_RGB);
        assertUsageError("mixes grey and colour", with(render, "--preset", "maco", "--spectrum-from", mixed.toString()));
        assertUsageError("needs --param maco", with(render, "--param", "fft", "--spectrum-from", mixed.toString()));
        assertUsageError("needs --param maco", with(render, "--param", "pixel", "--spectrum-from", mixed.toString()));
        assertUsageError("needs --param maco", with(render, "--spectrum-from", mixed.toString()));
        assertUsageError("--start must be noise", with(render, "--preset", "maco", "--start", "gray"));
        assertUsageError("no such directory", with(render, "--preset", "maco", "--spectrum-from", dir.resolve("absent").toString()));
    }
}
