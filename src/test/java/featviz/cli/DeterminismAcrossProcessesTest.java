package featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * Same seed, same bytes, across processes: two separate JVMs render the same channel with the same
 * options and must write byte-identical PNGs, which {@code featviz compare} then passes; a different
 * seed must fail it. This is what lets CI check images against committed references.
 */
class DeterminismAcrossProcessesTest {
    /** Per child: starting a JVM and ND4J takes seconds, the render itself well under one. */
    private static final long TIMEOUT_SECONDS = 180;

    @TempDir
    Path dir;

    static List<String> maximize(long seed, Path output) {
        return List.of("maximize", "--weights", "random", "--layer", "block1_conv2", "--index", "3", "--size", "32",
                "--steps", "3", "--seed", String.valueOf(seed), "--quiet", "--output", output.toString());
    }

    /** Starts {@code featviz args} in a new JVM with this test's class path, stdout and stderr to files. */
    private Process start(String name, List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        String ops = System.getProperty(featviz.model.op.PortableOps.PROPERTY);
        if (ops != null) { // the path this JVM's tests run on (PortableDeterminismTest: the portable one)
            command.add("-D" + featviz.model.op.PortableOps.PROPERTY + "=" + ops);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("featviz.cli.Main");
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile());
        Process process = builder.start();
        process.getOutputStream().close(); // no standard input, as in CI
        return process;
    }

    private void awaitSuccess(String name, Process process) throws Exception {
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            fail(name + ": featviz did not finish within " + TIMEOUT_SECONDS + " s");
        }
        assertEquals(0, process.exitValue(), name + " failed; stderr: " + Files.readString(dir.resolve(name + ".err")));
    }

    @Test
    void twoProcessesWriteTheSameBytesAndCompareAgrees() throws Exception {
        Path first = dir.resolve("first.png");
        Path second = dir.resolve("second.png");
        Process a = null;
        Process b = null;
        try {
            // Concurrently: neither may depend on anything the other process or the machine's timing does.
            a = start("first", maximize(0, first));
            b = start("second", maximize(0, second));
            awaitSuccess("first", a);
            awaitSuccess("second", b);
        } finally {
            for (Process p : new Process[] {a, b}) {
                if (p != null && p.isAlive()) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }

        assertTrue(Files.size(first) > 0);
        assertEquals(-1, Files.mismatch(first, second), "the two processes wrote different bytes");

        Cli same = Cli.run("compare", "--json", first.toString(), second.toString());
        assertEquals(0, same.exit(), same.toString());
        JsonNode file = new ObjectMapper().readTree(same.out()).get("files").get(0);
        assertEquals("inf", file.get("psnr").asText());
        assertTrue(file.get("same_bytes").asBoolean());

        // This JVM, which has run other tests before, renders the same pixels too.
        Path here = dir.resolve("here.png");
        assertEquals(0, Cli.run(maximize(0, here).toArray(String[]::new)).exit());
        Cli inProcess = Cli.run("compare", first.toString(), here.toString());
        assertEquals(0, inProcess.exit(), inProcess.toString());

        Path otherSeed = dir.resolve("seed1.png");
        assertEquals(0, Cli.run(maximize(1, otherSeed).toArray(String[]::new)).exit());
        Cli different = Cli.run("compare", first.toString(), otherSeed.toString());
        assertEquals(1, different.exit(), different.toString());
        assertTrue(different.out().contains("FAIL"), different.out());
    }
}
