package featviz.gallery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens the gallery page in headless Chromium. Chromium is required, not optional: without it the test
 * fails and says how to install it (Debian: {@code apt-get install -y chromium}). FEATVIZ_CHROMIUM may name
 * another binary.
 */
class GalleryPageTest {
    private static final long TIMEOUT_SECONDS = 90;
    private static final String INSTALL = "apt-get install -y chromium";

    @TempDir
    static Path work;

    private static Path gallery;
    private static int images;

    @BeforeAll
    static void buildGallery() throws Exception {
        List<Path> shards = new ArrayList<>();
        for (int k = 1; k <= 3; k++) {
            Path shard = work.resolve("shard-" + k);
            GalleryFixtures.shard(shard, "block5_conv4", 16, k, 3);
            shards.add(shard);
        }
        Path other = work.resolve("other-layer");
        GalleryFixtures.shard(other, "block1_conv1", 5, 1, 1);
        shards.add(other);
        gallery = work.resolve("gallery");
        Gallery.Result result = Gallery.build(shards, gallery, new Gallery.Options(96, 0, "featviz gallery test"),
                line -> fail("unexpected warning: " + line));
        images = result.images();
        assertEquals(21, images);
    }

    @Test
    void everyImageLoadsInChromiumAndTheScreenshotIsWritten() throws Exception {
        String dom = chromium("--dump-dom", gallery.resolve("index.html").toUri().toString());
        assertEquals(images, count(dom, "<img class=\"render-image\""), "images on the page");
        assertEquals(images, loaded(dom), "data-loaded: every image loaded (naturalWidth > 0)");

        Path screenshot = Path.of("target", "gallery-screenshot.png").toAbsolutePath();
        Files.createDirectories(screenshot.getParent());
        Files.deleteIfExists(screenshot);
        chromium("--screenshot=" + screenshot, "--window-size=1200,900", "--hide-scrollbars",
                gallery.resolve("index.html").toUri().toString());
        assertTrue(Files.isRegularFile(screenshot), "screenshot written to " + screenshot);
        BufferedImage shot = ImageIO.read(screenshot.toFile());
        assertEquals(1200, shot.getWidth());
        assertEquals(900, shot.getHeight());
    }

    @Test
    void aBrokenImageIsNotCountedAndTheAddressChoosesTheSortOrder() throws Exception {
        Path broken = work.resolve("broken-gallery");
        copyTree(gallery, broken);
        Files.writeString(broken.resolve(GalleryFixtures.file("block5_conv4", 3)), "no longer a PNG");
        String dom = chromium("--dump-dom", broken.resolve("index.html").toUri() + "#sort=objective-desc");
        assertEquals(images, count(dom, "<img class=\"render-image\""));
        assertEquals(images - 1, loaded(dom), "the damaged image has naturalWidth 0");

        // objective = 100 + channel in the fixtures: descending objective is descending channel, per section
        List<Integer> order = new ArrayList<>();
        Matcher m = Pattern.compile("data-channel=\"(\\d+)\"").matcher(dom);
        while (m.find()) {
            order.add(Integer.parseInt(m.group(1)));
        }
        assertEquals(List.of(4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0), order);
        assertTrue(dom.contains("data-sorted=\"objective descending\""), "body marked as sorted");
    }

    private static int loaded(String dom) {
        Matcher m = Pattern.compile("<body[^>]*\\sdata-loaded=\"(\\d+)\"").matcher(dom);
        if (!m.find()) {
            fail("the page never set data-loaded on <body> (within Chromium's virtual time budget):\n"
                    + dom.substring(0, Math.min(dom.length(), 600)));
        }
        return Integer.parseInt(m.group(1));
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** The installed Chromium, or a failure saying how to install it. */
    static String chromiumBinary() {
        String override = System.getenv("FEATVIZ_CHROMIUM");
        if (override != null && !override.isBlank()) {
            if (!Files.isExecutable(Path.of(override))) {
                fail("FEATVIZ_CHROMIUM=" + override + " is not an executable file");
            }
            return override;
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String name : List.of("chromium", "chromium-browser")) {
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        fail("headless Chromium is required for the gallery page test and is not installed; install Debian's package: "
                + INSTALL + " (or set FEATVIZ_CHROMIUM to a Chromium binary)");
        return null;
    }

    /** Runs headless Chromium with a fresh profile, bounded by a timeout; returns its stdout. */
    private static String chromium(String... args) throws Exception {
        Path profile = Files.createTempDirectory(work, "chromium-profile-");
        Path out = work.resolve(profile.getFileName() + ".out");
        Path err = work.resolve(profile.getFileName() + ".err");
        List<String> command = new ArrayList<>(List.of(chromiumBinary(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--virtual-time-budget=5000"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                fail("Chromium did not finish within " + TIMEOUT_SECONDS + " s: " + String.join(" ", command)
                        + "\n" + tail(err));
            }
            if (process.exitValue() != 0) {
                fail("Chromium exited with " + process.exitValue() + ": " + String.join(" ", command) + "\n" + tail(err));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }
}
