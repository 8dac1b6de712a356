package featviz.cli;

import featviz.UsageException;
import featviz.io.PngWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code featviz info}: the settings that made a featviz PNG, from the text chunks inside it. */
@Command(name = "info", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print how a featviz PNG was made (its provenance text chunks).",
            "",
            "Prints the provenance featviz writes into its PNGs: the PNG text chunks \"Software\" and",
            "\"featviz:*\" (model, weights, layer, objective, optimizer, steps, size, start, seed, backend),",
            "one \"key: value\" line each. With several files, each block starts with ==> FILE <==.",
            "",
            "A PNG without featviz text chunks, a missing file or a file that is not a PNG: one line on",
            "stderr, exit code 2.",
            "",
            "Examples:",
            "  featviz info vgg19_block5_conv4_4.png",
            "  featviz info --json reference-images/*.png",
            "",
            "Options:"})
public final class InfoCommand implements Callable<Integer> {
    static final String SOFTWARE = "Software";
    static final String PREFIX = "featviz:";

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "PNG files written by featviz.")
    List<Path> files;

    @Option(names = "--json", description = "Print one JSON object instead: each FILE as given, to an object of its " +
        "chunks, e.g. {\"a.png\": {\"Software\": \"featviz 0.1.0\", \"featviz:seed\": \"0\", ...}}.")
    boolean json;

    @Mixin
    DebugOption debugOption;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        // Read every file before printing anything: a bad file among several is an error, not half a report.
        Map<String, Map<String, String>> provenance = new LinkedHashMap<>();
        for (Path file : files) {
            provenance.put(file.toString(), provenance(file));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(provenance));
        } else {
            boolean headers = provenance.size() > 1;
            boolean first = true;
            for (Map.Entry<String, Map<String, String>> file : provenance.entrySet()) {
                if (headers) {
                    out.println((first ? "" : System.lineSeparator()) + "==> " + file.getKey() + " <==");
                }
                first = false;
                for (Map.Entry<String, String> chunk : file.getValue().entrySet()) {
                    out.println(chunk.getKey() + ": " + oneLine(chunk.getValue()));
                }
            }
        }
        out.flush();
        return 0;
    }

    /**
     * "Software" first, then the featviz:* chunks sorted by key.
     *
     * @throws UsageException when the file is missing, not a PNG, damaged, or has no featviz:* chunk
     */
    static Map<String, String> provenance(Path file) {
        Map<String, String> text = PngWriter.readText(file);
        Map<String, String> ours = new LinkedHashMap<>();
        if (text.containsKey(SOFTWARE)) {
            ours.put(SOFTWARE, text.get(SOFTWARE));
        }
        text.forEach((key, value) -> {
            if (key.startsWith(PREFIX)) {
                ours.put(key, value);
            }
        });
        if (ours.keySet().stream().noneMatch(k -> k.startsWith(PREFIX))) {
            List<String> others = new ArrayList<>(text.keySet());
            throw new UsageException(file + " has no featviz provenance: no featviz:* text chunks"
                    + (others.isEmpty() ? " (it has no text chunks at all)" : " (its text chunks: "
                    + String.join(", ", others) + ")"));
        }
        return ours;
    }

    /** Keeps the one-line-per-key format even if a value holds line breaks. */
    private static String oneLine(String value) {
        return value.replace("\r", "\\r").replace("\n", "\\n");
    }
}
