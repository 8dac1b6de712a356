package featviz.model;

import featviz.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * The names of a classifier's classes, by index, and the forgiving lookup that lets a user write
 * {@code class(ankle_boot)} for "Ankle boot" or {@code class(Sea Cucumber)} for "sea_cucumber": case, spaces,
 * underscores, hyphens, slashes and apostrophes do not count.
 *
 * <p>Where they come from:
 * <ul>
 *   <li>a catalogue entry's {@code labels}: an inline JSON list of names, or the name of a label file beside it
 *   in {@code models/} (ImageNet's {@code imagenet_class_index.json});</li>
 *   <li>for a model file {@code NAME.zip}, a file {@code NAME.labels.txt} (one name per line) or
 *   {@code NAME.labels.json} beside it.</li>
 * </ul>
 * A label file in JSON is a list of names, or Keras's class index {@code {"0": ["n01440764", "tench"], ...}}
 * (the name is the last element), or {@code {"0": "tench", ...}}.
 */
public final class Labels {
    public static final Labels NONE = new Labels(List.of(), "");

    private static final int SUGGESTIONS = 3;

    private final List<String> names;
    private final String source;

    public Labels(List<String> names, String source) {
        this.names = List.copyOf(names);
        this.source = source;
    }

    public List<String> names() {
        return names;
    }

    public int size() {
        return names.size();
    }

    public boolean isEmpty() {
        return names.isEmpty();
    }

    /** The name of class {@code index}, or the index itself where there is no name (a model without labels). */
    public String name(int index) {
        return index < names.size() ? names.get(index) : Integer.toString(index);
    }

    /** Where the labels were read from, for messages. */
    public String source() {
        return source;
    }

    /**
     * The index of the class {@code query} names, compared without case, spaces, '_', '-', '/' and "'".
     *
     * @throws UsageException (one line) for a name no class has, with the closest names by edit distance, or
     *     for one that several classes share, with their indices
     */
    public int indexOf(String query) {
        String key = normalise(query);
        List<Integer> hits = IntStream.range(0, names.size()).filter(i -> normalise(names.get(i)).equals(key))
                .boxed().toList();
        if (hits.size() == 1) {
            return hits.get(0);
        }
        if (hits.size() > 1) {
            throw new UsageException("class '" + query + "' is ambiguous: " + hits.stream()
                    .map(i -> i + " (" + names.get(i) + ")").collect(Collectors.joining(", "))
                    + "; give the index instead");
        }
        throw new UsageException("no class '" + query + "' among the " + names.size() + " labels of " + source
                + "; closest: " + closest(key).stream().map(i -> names.get(i) + " (" + i + ")")
                .collect(Collectors.joining(", ")));
    }

    /** The indices of the labels nearest to a normalised query, nearest first, ties by index. */
    private List<Integer> closest(String key) {
        return IntStream.range(0, names.size()).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> LayerNames.editDistance(key, normalise(names.get(i))))
                        .thenComparingInt(i -> i))
                .limit(SUGGESTIONS).toList();
    }

    static String normalise(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[\\s_\\-/']", "");
    }

    /**
     * The labels of the catalogue entry {@code models/<name>.json} (built into the jar), {@link #NONE} when it
     * has no {@code labels} field.
     */
    public static Labels ofCatalogue(String name) {
        String entry = "/featviz/models/" + name + ".json";
        try (InputStream in = Labels.class.getResourceAsStream(entry)) {
            if (in == null) {
                return NONE;
            }
            JsonNode labels = new ObjectMapper().readTree(in).get("labels");
            if (labels == null || labels.isNull()) {
                return NONE;
            }
            if (labels.isTextual()) {
                String file = "/featviz/models/" + labels.asText();
                try (InputStream labelFile = Labels.class.getResourceAsStream(file)) {
                    if (labelFile == null) {
                        throw new IllegalStateException("label file " + labels.asText() + " of " + name
                                + " missing from the build");
                    }
                    return new Labels(parse(new ObjectMapper().readTree(labelFile)), name);
                }
            }
            return new Labels(parse(labels), name);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the catalogue entry " + entry + ": " + e.getMessage(), e);
        }
    }

    /** Labels in a file beside a model zip ({@code NAME.labels.txt} or {@code NAME.labels.json}), or {@link #NONE}. */
    public static Labels besideFile(Path model) {
        String stem = model.getFileName().toString().replaceFirst("(?i)\\.zip$", "");
        for (String suffix : List.of(".labels.txt", ".labels.json")) {
            Path file = model.resolveSibling(stem + suffix);
            if (Files.isRegularFile(file)) {
                return read(file);
            }
        }
        return NONE;
    }

    /** A label file: JSON (see the class comment) when it ends in .json, else one name per line. */
    public static Labels read(Path file) {
        try {
            List<String> names;
            if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")) {
                names = parse(new ObjectMapper().readTree(file.toFile()));
            } else {
                names = Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
            }
            return new Labels(names, file.getFileName().toString());
        } catch (IOException | RuntimeException e) {
            throw new UsageException("cannot read labels " + file + ": " + ModelLoader.firstLine(e));
        }
    }

    /** A JSON list of names, or an object from index to a name or to a list ending in the name. */
    static List<String> parse(JsonNode json) {
        List<String> names = new ArrayList<>();
        if (json.isArray()) {
            json.forEach(n -> names.add(n.asText()));
            return names;
        }
        if (!json.isObject()) {
            throw new IllegalArgumentException("labels must be a list of names or an object from index to name");
        }
        for (int i = 0; i < json.size(); i++) {
            JsonNode entry = json.get(String.valueOf(i));
            if (entry == null) {
                throw new IllegalArgumentException("labels have no entry \"" + i + "\" of " + json.size());
            }
            names.add(entry.isArray() ? entry.get(entry.size() - 1).asText() : entry.asText());
        }
        return names;
    }
}
