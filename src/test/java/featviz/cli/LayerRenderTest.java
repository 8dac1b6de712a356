package featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.job.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** Whole layers: batches, shards, resuming after a crash, and Ctrl-C. VGG19 with random weights at 16 px. */
class LayerRenderTest {
    static final String[] LAYER = {"maximize", "--weights", "random", "--layer", "block1_conv1", "--size", "16",
        "--steps", "2", "--quiet"};

    @TempDir
    Path dir;

    static String[] args(String... more) {
        List<String> a = new ArrayList<>(List.of(LAYER));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    static List<Path> pngs(Path dir) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try (Stream<Path> s = Files.walk(dir)) {
                return s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
            } catch (java.io.UncheckedIOException e) {
                if (attempt == 20) {
                    throw e; // a writer's temporary file vanished while we listed; list again
                }
            }
        }
    }

    static List<Path> leftovers(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().contains(".tmp") || p.getFileName().toString().startsWith("."))
                    .filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void threeShardsRenderEveryChannelExactlyOnceAndTheGalleryMergesThem() throws Exception {
        List<Integer> channels = new ArrayList<>();
        for (int k = 1; k <= 3; k++) {
            Path part = dir.resolve("part" + k);
            Cli r = Cli.run(args("--index", "0-9", "--batch", "2", "--shard", k + "/3", "--output", part + "/", "--json"));
            assertEquals(0, r.exit(), r.toString());
            assertEquals(r.out().lines().count(), Manifest.load(part).size());
            Manifest.load(part).entries().forEach(e -> channels.add(e.channel()));
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), channels.stream().sorted().toList());
        assertEquals(10, channels.size());
        Cli g = Cli.run("gallery", dir.resolve("part1").toString(), dir.resolve("part2").toString(),
                dir.resolve("part3").toString(), "--output", dir.resolve("all").toString());
        assertEquals(0, g.exit(), g.toString());
        assertEquals(10, Manifest.load(dir.resolve("all")).size());
    }

    @Test
    void batchingChangesAChannelsImageOnlyByRoundingAndARerunSkipsWhatIsDone() throws Exception {
        Cli one = Cli.run(args("--index", "3", "--output", dir.resolve("single.png").toString()));
        assertEquals(0, one.exit(), one.toString());
        Cli all = Cli.run(args("--index", "2-5", "--batch", "3", "--output", dir.resolve("batched").toString() + "/"));
        assertEquals(0, all.exit(), all.toString());
        // The CPU backend rounds differently per batch size: close, not always identical (README).
        Cli same = Cli.run("compare", dir.resolve("single.png").toString(),
                dir.resolve("batched/vgg19/block1_conv1/0003.png").toString(), "--max-diff", "8", "--min-psnr", "35");
        assertEquals(0, same.exit(), "channel 3 changed beyond rounding between --batch 1 and --batch 3: " + same);
        Cli twice = Cli.run(args("--index", "2-5", "--batch", "3", "--output", dir.resolve("batched2").toString() + "/"));
        assertEquals(0, twice.exit(), twice.toString());
        for (String c : List.of("0002", "0003", "0004", "0005")) {
            assertTrue(java.util.Arrays.equals(Files.readAllBytes(dir.resolve("batched/vgg19/block1_conv1/" + c + ".png")),
                    Files.readAllBytes(dir.resolve("batched2/vgg19/block1_conv1/" + c + ".png"))), "same --batch, other bytes: " + c);
        }
        Cli again = Cli.run(args("--index", "2-5", "--batch", "3", "--output", dir.resolve("batched").toString() + "/", "--json"));
        assertEquals(0, again.exit(), again.toString());
        assertEquals("", again.out(), "a rerun rendered again: " + again.out());
    }

    @Test
    void aRunKilledMidwayLeavesOnlyCompleteFilesAndResumes() throws Exception {
        Path out = dir.resolve("killed");
        Path log = dir.resolve("child.log");
        Process p = ChildProcess.featviz(log, args("--index", "0-63", "--output", out + "/")).start();
        try {
            // Wait until a few channels are on disk, then kill without warning (SIGKILL).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline && (!Files.exists(out) || pngs(out).size() < 3) && p.isAlive()) {
                Thread.sleep(50);
            }
            assertTrue(p.isAlive(), "finished before it could be killed: " + Files.readString(log));
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        } finally {
            p.destroyForcibly();
        }
        for (Path png : pngs(out)) {
            assertNotNull(ImageIO.read(png.toFile()), "corrupt " + png);
        }
        int before = Manifest.load(out).size(); // parses: never a broken manifest
        assertTrue(before < 64);

        Cli resumed = Cli.run(args("--index", "0-63", "--output", out + "/", "--json"));
        assertEquals(0, resumed.exit(), resumed.toString());
        assertEquals(64, Manifest.load(out).size());
        assertTrue(resumed.out().lines().count() <= 64 - before + 1, "rendered done channels again");
        assertEquals(64, pngs(out).size());
        assertEquals(List.of(), leftovers(out), "temporary files of the killed run were not tidied");
    }

    @Test
    void ctrlCFinishesTheBatchInFlightWritesItAndExits130() throws Exception {
        Path out = dir.resolve("interrupted");
        Path log = dir.resolve("child.log");
        Process p = ChildProcess.featviz(log, "maximize", "--weights", "random", "--layer", "block1_conv1", "--size", "16",
                "--steps", "20", "--quiet", "--index", "all", "--batch", "4", "--output", out + "/", "--json").start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline && !Files.readString(log).contains("\"channel\"") && p.isAlive()) {
                Thread.sleep(50);
            }
            new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "did not stop");
            assertEquals(130, p.exitValue(), Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
        int written = Manifest.load(out).size();
        assertTrue(written > 0 && written % 4 == 0 && written < 64, "manifest has " + written);
        assertEquals(written, pngs(out).size());
        String text = Files.readString(log);
        assertTrue(text.contains("run the same command again to resume"), text);
        long jsonLines = text.lines().filter(l -> l.startsWith("{")).count();
        assertEquals(written, jsonLines);
        new ObjectMapper().readTree(text.lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
    }
}
