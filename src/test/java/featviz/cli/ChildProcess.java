package featviz.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** featviz in a separate JVM, with this test run's class path: for crashes, signals and determinism across processes. */
final class ChildProcess {
    private ChildProcess() {
    }

    static ProcessBuilder featviz(Path log, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    }

    static int run(Path log, long timeoutSeconds, String... args) throws IOException, InterruptedException {
        Process p = featviz(log, args).start();
        try {
            if (!p.waitFor(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("featviz did not finish in " + timeoutSeconds + " s");
            }
            return p.exitValue();
        } finally {
            p.destroyForcibly();
        }
    }
}
