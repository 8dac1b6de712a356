package featviz.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * The project version, from a resource Maven fills in at build time: the same whether featviz runs from
 * the jar or from classes (tests), which matters because it is written into every PNG.
 */
public final class Version implements CommandLine.IVersionProvider {
    private static final String VERSION = read();

    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("/featviz/version.txt")) {
            return in == null ? "dev" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "dev";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"featviz " + get()};
    }
}
