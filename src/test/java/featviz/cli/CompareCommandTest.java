package featviz.cli;

import static featviz.cli.MaximizeCommandTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.io.PngWriter;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** featviz compare end to end, in this JVM: verdicts, exit codes, the table, JSON, diff images, errors. */
class CompareCommandTest {
    @TempDir
    Path dir;

    /** Smooth colour gradients with a little seeded texture, 8-bit RGB. */
    static BufferedImage picture(int w, int h, long seed) {
        Random r = new Random(seed);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int red = (x * 255 / w + r.nextInt(8)) & 0xff;
                int green = (y * 255 / h + r.nextInt(8)) & 0xff;
                int blue = ((x + y) * 127 / (w + h) + r.nextInt(8)) & 0xff;
                image.setRGB(x, y, red << 16 | green << 8 | blue);
            }
        }
        return image;
    }

    static Path png(BufferedImage image, Path file) throws Exception {
        Files.createDirectories(file.toAbsolutePath().getParent());
        PngWriter.write(image, file, Map.of("Software", "featviz test"));
        return file;
    }

    /** The image with the green level of pixel (x, y) raised (or, at 255, lowered) by one. */
    static BufferedImage plusOne(BufferedImage image, int x, int y) {
        BufferedImage copy = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        copy.setData(image.getData());
        int rgb = copy.getRGB(x, y) & 0xffffff;
        int green = (rgb >> 8) & 0xff;
        copy.setRGB(x, y, (rgb & 0xff00ff) | (green == 255 ? 254 : green + 1) << 8);
        return copy;
    }

    static JsonNode json(Cli r) throws Exception {
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void identicalImagesPassWithInfinitePsnrAndSsimOne() throws Exception {
        Path a = png(picture(32, 24, 1), dir.resolve("a/x.png"));
        Path b = png(picture(32, 24, 1), dir.resolve("b/x.png"));
        Cli r = Cli.run("compare", a.toString(), b.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.err());
        String row = r.out().lines().filter(l -> l.startsWith("x.png")).findFirst().orElseThrow();
        assertTrue(row.matches("x\\.png\\s+ok\\s+0\\s+inf\\s+1\\.000000"), row);
        assertTrue(r.out().contains("ok: 1 of 1 file within tolerance (max diff 0)"), r.out());

        JsonNode file = json(Cli.run("compare", "--json", a.toString(), b.toString())).get("files").get(0);
        assertEquals("inf", file.get("psnr").asText());
        assertEquals(1.0, file.get("ssim").asDouble());
        assertEquals(0, file.get("max_diff").asInt());
        assertTrue(file.get("pass").asBoolean());
        assertTrue(file.get("same_bytes").asBoolean());
    }

    @Test
    void onePixelOneLevelOffFailsByDefaultAndPassesWithinATolerance() throws Exception {
        BufferedImage original = picture(32, 32, 2);
        Path a = png(original, dir.resolve("a.png"));
        Path b = png(plusOne(original, 7, 9), dir.resolve("b.png"));

        Cli exact = Cli.run("compare", a.toString(), b.toString());
        assertEquals(1, exact.exit(), exact.toString());
        assertTrue(exact.out().contains("max diff 1 > 0"), exact.out());
        assertTrue(exact.out().contains("FAIL: 0 of 1 file within tolerance"), exact.out());

        assertEquals(0, Cli.run("compare", "--max-diff", "1", a.toString(), b.toString()).exit());
        // PSNR of one level in one of 3 * 1024 samples: 10 log10(255^2 * 3072) = 83.0 dB.
        JsonNode file = json(Cli.run("compare", "--json", a.toString(), b.toString())).get("files").get(0);
        assertEquals(1, file.get("max_diff").asInt());
        assertEquals(1, file.get("differing_pixels").asInt());
        assertEquals(10 * Math.log10(255.0 * 255 * 3072), file.get("psnr").asDouble(), 1e-9);
        assertTrue(file.get("ssim").asDouble() < 1 && file.get("ssim").asDouble() > 0.999, file.toString());
        // A bound given replaces the exact default; each bound given must hold.
        assertEquals(0, Cli.run("compare", "--min-psnr", "80", a.toString(), b.toString()).exit());
        assertEquals(0, Cli.run("compare", "--min-ssim", "0.999", a.toString(), b.toString()).exit());
        assertEquals(1, Cli.run("compare", "--min-psnr", "90", a.toString(), b.toString()).exit());
        Cli both = Cli.run("compare", "--min-psnr", "80", "--max-diff", "0", a.toString(), b.toString());
        assertEquals(1, both.exit(), both.toString());
        assertTrue(both.out().contains("(max diff 0, min psnr 80 dB)"), both.out());
    }

    @Test
    void differentImagesFail() throws Exception {
        Path a = png(picture(32, 32, 3), dir.resolve("a.png"));
        Path b = png(picture(32, 32, 4), dir.resolve("b.png"));
        Cli r = Cli.run("compare", a.toString(), b.toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().contains("FAIL"), r.out());
        assertEquals(1, Cli.run("compare", "--max-diff", "3", a.toString(), b.toString()).exit());
    }

    @Test
    void differentSizesFailWithAReasonInsteadOfCrashing() throws Exception {
        Path a = png(picture(32, 32, 5), dir.resolve("a.png"));
        Path b = png(picture(32, 16, 5), dir.resolve("b.png"));
        Cli r = Cli.run("compare", "--diff", dir.resolve("diffs").toString(), a.toString(), b.toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().contains("sizes differ: A is 32x32, B is 32x16"), r.out());
        JsonNode file = json(Cli.run("compare", "--json", a.toString(), b.toString())).get("files").get(0);
        assertEquals("fail", file.get("status").asText());
        assertFalse(file.has("psnr"), file.toString());
        assertFalse(Files.exists(dir.resolve("diffs")));
    }

    @Test
    void directoriesReportMissingAndExtraFilesAsFailures() throws Exception {
        Path ref = dir.resolve("ref");
        Path out = dir.resolve("out");
        png(picture(16, 16, 6), ref.resolve("same.png"));
        png(picture(16, 16, 6), out.resolve("same.png"));
        png(picture(16, 16, 7), ref.resolve("deep/also.png"));
        png(picture(16, 16, 7), out.resolve("deep/also.png"));
        png(picture(16, 16, 8), ref.resolve("only-in-reference.png"));
        png(picture(16, 16, 9), out.resolve("only-in-new.png"));

        Cli r = Cli.run("compare", ref.toString(), out.toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("only-in-reference.png") && l.contains("MISSING")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("only-in-new.png") && l.contains("EXTRA")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("deep/also.png") && l.contains(" ok ")), r.out());
        assertTrue(r.out().contains("FAIL: 2 of 4 files within tolerance (max diff 0); 1 missing, 1 extra"), r.out());

        JsonNode report = json(Cli.run("compare", "--json", ref.toString(), out.toString()));
        assertEquals("directories", report.get("mode").asText());
        JsonNode summary = report.get("summary");
        assertEquals(4, summary.get("files").asInt());
        assertEquals(2, summary.get("passed").asInt());
        assertEquals(1, summary.get("missing").asInt());
        assertEquals(1, summary.get("extra").asInt());
        assertFalse(summary.get("pass").asBoolean());
        List<String> statuses = new ArrayList<>();
        report.get("files").forEach(f -> statuses.add(f.get("file").asText() + "=" + f.get("status").asText()));
        assertEquals(List.of("deep/also.png=pass", "only-in-new.png=extra", "only-in-reference.png=missing",
                "same.png=pass"), statuses);
    }

    @Test
    void matchingDirectoriesPass() throws Exception {
        for (String name : List.of("one.png", "two.png")) {
            png(picture(16, 16, name.length()), dir.resolve("ref").resolve(name));
            png(picture(16, 16, name.length()), dir.resolve("out").resolve(name));
        }
        Cli r = Cli.run("compare", dir.resolve("ref").toString(), dir.resolve("out").toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("ok: 2 of 2 files within tolerance"), r.out());
    }

    @Test
    void diffWritesOneAmplifiedImagePerDifferingFile() throws Exception {
        Path ref = dir.resolve("ref");
        Path out = dir.resolve("out");
        BufferedImage base = picture(16, 16, 10);
        png(base, ref.resolve("same.png"));
        png(base, out.resolve("same.png"));
        png(base, ref.resolve("sub/nudged.png"));
        png(plusOne(base, 3, 4), out.resolve("sub/nudged.png"));
        png(picture(16, 16, 11), ref.resolve("other.png"));
        png(picture(16, 16, 12), out.resolve("other.png"));
        Path diffs = dir.resolve("diffs/nested");

        Cli r = Cli.run("compare", "--diff", diffs.toString(), "--max-diff", "1", ref.toString(), out.toString());
        assertEquals(1, r.exit(), r.toString());
        Path nudged = diffs.resolve("sub/nudged-diff.png");
        Path other = diffs.resolve("other-diff.png");
        try (Stream<Path> files = Files.walk(diffs)) {
            assertEquals(List.of(other, nudged), files.filter(Files::isRegularFile).sorted().toList());
        }
        assertTrue(r.out().contains("diff: " + nudged), r.out());
        BufferedImage d = ImageIO.read(nudged.toFile());
        assertEquals(16, d.getWidth());
        assertEquals(0x00ff00, d.getRGB(3, 4) & 0xffffff); // the one level, amplified to full green
        assertEquals(0, d.getRGB(0, 0) & 0xffffff);
        Map<String, String> text = PngWriter.readText(nudged);
        assertEquals("1", text.get("featviz:diff-max"));
        assertEquals(out.resolve("sub/nudged.png").toString(), text.get("featviz:diff-b"));
        JsonNode report = json(Cli.run("compare", "--json", "--diff", diffs.toString(), ref.toString(), out.toString()));
        report.get("files").forEach(f -> assertEquals(f.get("file").asText().equals("same.png"),
                f.get("diff").isNull(), f.toString()));
    }

    @Test
    void jsonIsOneObjectWithPerFileMetricsAndASummary() throws Exception {
        Path a = png(picture(20, 20, 13), dir.resolve("a.png"));
        Path b = png(plusOne(picture(20, 20, 13), 0, 0), dir.resolve("b.png"));
        Cli r = Cli.run("compare", "--json", "--max-diff", "2", a.toString(), b.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals(1, r.out().strip().lines().count(), r.out());
        JsonNode report = json(r);
        List<String> keys = new ArrayList<>();
        report.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("a", "b", "mode", "tolerance", "files", "summary"), keys);
        assertEquals("files", report.get("mode").asText());
        assertEquals(2, report.get("tolerance").get("max_diff").asInt());
        assertTrue(report.get("tolerance").get("min_psnr").isNull());
        JsonNode file = report.get("files").get(0);
        for (String key : List.of("file", "a", "b", "status", "pass", "width", "height", "max_diff", "mean_abs_diff",
                "differing_pixels", "psnr", "ssim", "same_bytes", "reasons", "diff")) {
            assertTrue(file.has(key), key + " missing from " + file);
        }
        assertEquals("a.png", file.get("file").asText());
        assertEquals("pass", file.get("status").asText());
        assertFalse(file.get("same_bytes").asBoolean());
        assertTrue(file.get("psnr").isNumber());
        assertTrue(report.get("summary").get("pass").asBoolean());
    }

    @Test
    void badInputIsOneLineExit2() throws Exception {
        Path a = png(picture(8, 8, 14), dir.resolve("a.png"));
        assertOneLineError(Cli.run("compare", a.toString(), dir.resolve("nope.png").toString()), 2,
                "nope.png", "no such file or directory");
        assertOneLineError(Cli.run("compare", a.toString(), dir.toString()), 2, "A is a file and B a directory");
        assertOneLineError(Cli.run("compare", dir.toString(), a.toString()), 2, "A is a directory and B a file");
        Path corrupt = dir.resolve("corrupt.png");
        Files.write(corrupt, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        assertOneLineError(Cli.run("compare", a.toString(), corrupt.toString()), 2, "corrupt.png");
        assertOneLineError(Cli.run("compare", "--max-diff", "256", a.toString(), a.toString()), 2, "--max-diff");
        assertOneLineError(Cli.run("compare", "--min-ssim", "2", a.toString(), a.toString()), 2, "--min-ssim");
        assertOneLineError(Cli.run("compare", "--min-psnr", "loud", a.toString(), a.toString()), 2, "loud");
        assertOneLineError(Cli.run("compare", "--diff", a.toString(), a.toString(), a.toString()), 2, "--diff");
        assertOneLineError(Cli.run("compare", a.toString()), 2, "B");
        Path empty1 = Files.createDirectories(dir.resolve("empty1"));
        Path empty2 = Files.createDirectories(dir.resolve("empty2"));
        assertOneLineError(Cli.run("compare", empty1.toString(), empty2.toString()), 2, "no *.png files");
    }

    @Test
    void anUnreadableFileInADirectoryIsExit2AfterTheReport() throws Exception {
        png(picture(8, 8, 15), dir.resolve("ref/good.png"));
        png(picture(8, 8, 15), dir.resolve("out/good.png"));
        png(picture(8, 8, 16), dir.resolve("ref/bad.png"));
        Files.createDirectories(dir.resolve("out"));
        Files.writeString(dir.resolve("out/bad.png"), "not a png");
        Cli r = Cli.run("compare", dir.resolve("ref").toString(), dir.resolve("out").toString());
        assertOneLineError(r, 2, "bad.png");
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("bad.png") && l.contains("ERROR")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("good.png") && l.contains("ok")), r.out());
    }

    @Test
    void helpExplainsMetricsAndExitCodes() {
        Cli r = Cli.run("compare", "--help");
        assertEquals(0, r.exit());
        for (String s : List.of("--max-diff", "--min-psnr", "--min-ssim", "--diff", "--json", "SSIM", "11x11",
                "featviz compare reference-images/ out/ --diff diffs/")) {
            assertTrue(r.out().contains(s), "missing " + s + " in " + r.out());
        }
        assertTrue(Cli.run("--help").out().contains("compare"));
    }
}
