package featviz.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the operating system says about this process: resident memory (Linux /proc), start time. */
public final class ProcessStats {
    private ProcessStats() {
    }

    /** Peak resident set size in bytes (VmHWM), or -1 where /proc is not there. */
    public static long peakRss() {
        return statusField("VmHWM:");
    }

    /** Current resident set size in bytes (VmRSS), or -1. */
    public static long rss() {
        return statusField("VmRSS:");
    }

    /** Milliseconds since the JVM started. */
    public static long uptimeMillis() {
        return System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
    }

    private static long statusField(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
