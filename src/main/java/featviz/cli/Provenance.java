package featviz.cli;

import featviz.UsageException;
import featviz.io.PngWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.shade.jackson.core.type.TypeReference;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * What featviz writes into every PNG (tEXt chunks {@code Software} and {@code featviz:*}): the settings
 * that decided its pixels, plus {@code featviz:args}, the complete option list that renders it again
 * ({@code featviz maximize --like FILE.png}).
 */
final class Provenance {
    static final String ARGS = "featviz:args";
    static final String WEIGHTS = "featviz:weights";

    private Provenance() {
    }

    static Map<String, String> chunks(Map<String, Object> settings, List<String> args) {
        Map<String, String> text = new LinkedHashMap<>();
        text.put("Software", "featviz " + Version.get());
        settings.forEach((k, v) -> text.put("featviz:" + k, String.valueOf(v)));
        text.put(ARGS, Json.write(args));
        return text;
    }

    /**
     * {@code maximize ... --like FILE.png ...} becomes {@code maximize <FILE's args> ...}: the recorded options
     * first, then every option given on this command line in place of the recorded one of the same name.
     */
    static String[] expandLike(String[] args) {
        int at = List.of(args).indexOf("--like");
        if (args.length == 0 || !args[0].equals("maximize") || at < 0 || at + 1 >= args.length) {
            return args;
        }
        Path file = Path.of(args[at + 1]);
        String recorded = PngWriter.readText(file).get(ARGS);
        if (recorded == null) {
            throw new UsageException(file + " has no featviz:args chunk: it was not written by featviz maximize");
        }
        List<String> given = new ArrayList<>(List.of(args).subList(1, args.length));
        List<String> old;
        try {
            old = new ObjectMapper().readValue(recorded, new TypeReference<List<String>>() { });
        } catch (java.io.IOException e) {
            throw new UsageException(file + " has a damaged featviz:args chunk");
        }
        List<String> merged = new ArrayList<>(List.of("maximize"));
        for (int i = 0; i < old.size(); i++) {
            String opt = old.get(i);
            boolean hasValue = i + 1 < old.size() && !old.get(i + 1).startsWith("--");
            if (!overridden(opt, given)) {
                merged.add(opt);
                if (hasValue) {
                    merged.add(old.get(i + 1));
                }
            }
            if (hasValue) {
                i++;
            }
        }
        merged.addAll(given);
        return merged.toArray(new String[0]);
    }

    private static boolean overridden(String option, List<String> given) {
        if (option.equals("--step-size") && given.contains("--lr")) {
            return true;
        }
        String base = option.replaceFirst("^--no-", "--");
        return given.stream().anyMatch(g -> g.equals(option) || g.equals(base) || g.equals("--no-" + base.substring(2))
                || g.startsWith(option + "="));
    }
}
