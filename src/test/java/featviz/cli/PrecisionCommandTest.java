package featviz.cli;

import static featviz.cli.MaximizeCommandTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import featviz.job.Manifest;
import featviz.io.ImageFiles;
import featviz.io.PngWriter;
import featviz.model.op.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * {@code --precision bf16} from the command line: refused in one line where it cannot run (a CPU without
 * AVX512_BF16 or AMX, simulated here with {@code -Dfeatviz.cpu.bf16=false}; oneDNN turned off), recorded in the PNG
 * and the manifest, the same bytes on every run on one machine, and shown by bench. The embedded model keeps renders
 * small and offline.
 */
class PrecisionCommandTest {
    @TempDir
    Path dir;

    private static void assumeBf16() {
        String why = Precision.BF16.unavailableReason();
        assumeTrue(why == null, () -> "bf16 cannot run here: " + why);
    }

    private static List<String> render(Path png, String precision) {
        return List.of("maximize", "--model", "fashion-mnist", "--objective", "class(bag)", "--size", "28", "--steps",
                "24", "--precision", precision, "--quiet", "--output", png.toString());
    }

    @Test
    void aCpuWithoutBf16IsRefusedInOneLineBeforeAnyWork() {
        Path png = dir.resolve("refused.png");
        System.setProperty(Precision.CPU_BF16_PROPERTY, "false");
        try {
            assertOneLineError(Cli.run(render(png, "bf16").toArray(String[]::new)), 2,
                    "--precision bf16 is not available", "neither AVX512_BF16 nor AMX", "--precision fp32");
            assertOneLineError(Cli.run("bench", "--model", "fashion-mnist", "--layer", "relu5", "--size", "28",
                    "--steps", "1", "--precision", "bf16"), 2, "neither AVX512_BF16 nor AMX");
            assertEquals(0, Cli.run(render(png, "fp32").toArray(String[]::new)).exit(), "fp32 runs anywhere");
        } finally {
            System.clearProperty(Precision.CPU_BF16_PROPERTY);
        }
        assertOneLineError(Cli.run("maximize", "--model", "fashion-mnist", "--precision", "fp16"), 2,
                "unknown --precision 'fp16'", "fp32 or bf16");
    }

    /** oneDNN is chosen once per process, so this runs featviz in a JVM of its own. */
    @Test
    void bf16WithOneDnnTurnedOffIsRefusedInOneLine() throws Exception {
        Path log = dir.resolve("onednn-off.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dfeatviz.onednn=false", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(render(dir.resolve("off.png"), "bf16"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS), "featviz did not finish");
        String out = Files.readString(log);
        assertEquals(2, p.exitValue(), out);
        String refusal = out.lines().filter(l -> l.startsWith("featviz: ")).findFirst().orElse("");
        assertTrue(refusal.contains("oneDNN, which is off") && refusal.contains("-Dfeatviz.onednn=false"), out);
        assertFalse(Files.exists(dir.resolve("off.png")));
    }

    @Test
    void bf16RendersAreTheSameBytesEveryTimeAndSayTheyAreBf16() throws Exception {
        assumeBf16();
        Path first = dir.resolve("first.png"), second = dir.resolve("second.png"), fp32 = dir.resolve("fp32.png");
        for (Path p : List.of(first, second)) {
            Cli r = Cli.run(render(p, "bf16").toArray(String[]::new));
            assertEquals(0, r.exit(), r.toString());
        }
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second), "two bf16 runs, same bytes");
        Path child = dir.resolve("child.png");
        assertEquals(0, ChildProcess.run(dir.resolve("child.log"), 180, render(child, "bf16").toArray(String[]::new)),
                () -> readQuietly(dir.resolve("child.log")));
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(child), "another process, same bytes");

        Map<String, String> text = PngWriter.readText(first);
        assertEquals("bf16", text.get("featviz:precision"), text.toString());
        assertTrue(text.get(Provenance.ARGS).contains("\"--precision\",\"bf16\""), text.get(Provenance.ARGS));
        Path again = dir.resolve("again.png");
        assertEquals(0, Cli.run("maximize", "--like", first.toString(), "--output", again.toString(), "--quiet").exit());
        assertEquals(ImageFiles.read(first, 28, 28, 1), ImageFiles.read(again, 28, 28, 1),
                "--like renders a bf16 image again in bf16");

        assertEquals(0, Cli.run(render(fp32, "fp32").toArray(String[]::new)).exit());
        Map<String, String> fp32Text = PngWriter.readText(fp32);
        assertNull(fp32Text.get("featviz:precision"), "fp32 images record what they did before: " + fp32Text);
        assertFalse(fp32Text.get(Provenance.ARGS).contains("--precision"), fp32Text.get(Provenance.ARGS));
        assertFalse(ImageFiles.read(first, 28, 28, 1).equals(ImageFiles.read(fp32, 28, 28, 1)),
                "the bf16 render's pixels are fp32's: bf16 did not run");
    }

    @Test
    void aWholeLayerInBf16RecordsItInTheManifestAndResumes() throws Exception {
        assumeBf16();
        Path out = dir.resolve("layer");
        String[] args = {"maximize", "--model", "fashion-mnist", "--layer", "relu5", "--index", "0-1", "--size", "28",
            "--steps", "8", "--precision", "bf16", "--output", out + "/"};
        Cli r = Cli.run(args);
        assertEquals(0, r.exit(), r.toString());
        Manifest manifest = Manifest.load(out);
        assertEquals(2, manifest.size());
        assertTrue(manifest.settings().values().stream().allMatch(s -> "bf16".equals(s.get("precision"))),
                manifest.settings().toString());
        Cli again = Cli.run(args);
        assertTrue(again.err().contains("2 already done, 0 to render"), again.toString());
    }

    @Test
    void benchSaysWhichPrecisionItTimed() throws Exception {
        assumeBf16();
        Cli r = Cli.run("bench", "--model", "fashion-mnist", "--layer", "relu5", "--size", "28", "--steps", "2",
                "--warmup", "1", "--precision", "bf16", "--json");
        assertEquals(0, r.exit(), r.toString());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals("bf16", json.get("precision").asText());
        Cli text = Cli.run("bench", "--model", "fashion-mnist", "--layer", "relu5", "--size", "28", "--steps", "2",
                "--warmup", "1");
        assertTrue(text.out().contains(", fp32): "), text.toString());
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
