package featviz.job;

import featviz.UsageException;
import featviz.io.AtomicFiles;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.nd4j.shade.jackson.core.JsonLocation;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * The {@code manifest.json} of an output directory: which channels were rendered there, into which file,
 * with which settings. Format {@value #FORMAT}:
 *
 * <pre>{@code
 * {
 *   "format": "featviz-manifest/1",
 *   "settings": {
 *     "3f9a0c1b2d4e": {"layer":"block5_conv4","model":"vgg19","optimizer":"adam(lr=0.05)","size":224,"steps":128,...}
 *   },
 *   "renders": [
 *     {"model":"vgg19","layer":"block5_conv4","channel":4,"file":"vgg19/block5_conv4/0004.png","objective":123.4,"seconds":12.3,"settings":"3f9a0c1b2d4e"}
 *   ]
 *   (a render scored against real images also has "quality": {"superstimulus":1.8,"plausibility":0.9,...}, see Quality)
 * }
 * }</pre>
 *
 * <p>{@code file} is relative to the directory, with {@code /} separators, and may not leave it. A render is
 * Optional per render: {@code "flat": true} for a unit whose objective never rose, and {@code "transparency"}, the
 * file of its transparency heat map (same rules as {@code file}). A render is
 * identified by its {@link Key} (model, layer, channel, settings id); adding one with a key that is there
 * already replaces it. Settings are any JSON object; their id is {@link #settingsId(Map)}, a hash of their
 * canonical form, so the same settings get the same id in every shard of a run.
 *
 * <p>Written files are deterministic: settings sorted by id and their keys sorted, renders sorted by key,
 * one render per line, {@code \n} line ends. Objectives and times that are not finite numbers (a render that
 * diverged) are written as {@code null} and read back as NaN. Unknown keys are ignored when reading.
 *
 * <p>Not thread-safe, and one directory should have one writer at a time: {@link #write(Path)} replaces the
 * file atomically, so a reader never sees half a manifest, but two processes that each load, add and write
 * lose each other's entries.
 */
public final class Manifest {
    public static final String FILE_NAME = "manifest.json";
    public static final String FORMAT = "featviz-manifest/1";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long EXACT_DOUBLE_INTEGERS = 1L << 53;

    /** What identifies a render: adding a render with the same key replaces the old one. */
    public record Key(String model, String layer, int channel, String settings) implements Comparable<Key> {
        private static final Comparator<Key> ORDER = Comparator.comparing(Key::model)
                .thenComparing(Key::layer)
                .thenComparingInt(Key::channel)
                .thenComparing(Key::settings);

        public Key {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(layer, "layer");
            Objects.requireNonNull(settings, "settings");
        }

        @Override
        public int compareTo(Key other) {
            return ORDER.compare(this, other);
        }
    }

    /**
     * One rendered channel.
     *
     * @param file the image, relative to the manifest's directory, {@code /}-separated
     * @param objective the objective's final value; NaN when unknown or not finite
     * @param seconds how long the render took; NaN when unknown
     * @param settings the id of the settings the render was made with, as {@link #addSettings} returns it
     * @param flat whether the objective never rose above its first value (a unit the render could not move);
     *     written as {@code "flat": true}, left out when false
     * @param transparency the transparency heat map beside the image, relative like {@code file}; null when none
     */
    public record Render(String model, String layer, int channel, String file, double objective, double seconds,
                         String settings, boolean flat, String transparency, Quality quality) {
        /** A render without quality scores, transparency or flatness. */
        public Render(String model, String layer, int channel, String file, double objective, double seconds,
                      String settings) {
            this(model, layer, channel, file, objective, seconds, settings, false, null, null);
        }

        public Render {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(layer, "layer");
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(settings, "settings");
            if (channel < 0) {
                throw new IllegalArgumentException("channel must be 0 or more, not " + channel);
            }
            String problem = relativePathProblem(file);
            if (problem != null) {
                throw new IllegalArgumentException("render file " + file + ": " + problem);
            }
            String heatProblem = transparency == null ? null : relativePathProblem(transparency);
            if (heatProblem != null) {
                throw new IllegalArgumentException("transparency file " + transparency + ": " + heatProblem);
            }
        }

        public Key key() {
            return new Key(model, layer, channel, settings);
        }

        /** The image file, for a manifest in {@code dir}. */
        public Path path(Path dir) {
            return dir.resolve(file);
        }

        /** The same render with another file name, e.g. where it was copied to. */
        public Render withFile(String newFile) {
            return new Render(model, layer, channel, newFile, objective, seconds, settings, flat, transparency, quality);
        }

        /** The same render with another transparency file (null: none), e.g. where it was copied to. */
        public Render withTransparency(String newFile) {
            return new Render(model, layer, channel, file, objective, seconds, settings, flat, newFile, quality);
        }

        /** The same render with these quality scores (null: none). */
        public Render withQuality(Quality newQuality) {
            return new Render(model, layer, channel, file, objective, seconds, settings, flat, transparency, newQuality);
        }
    }

    /**
     * How a render compares with real images ({@code maximize --examples DIR}; see
     * {@link featviz.analysis.RenderQuality}): written as the render's {@code "quality"} object, absent when the
     * render was not scored. Numbers that are not finite are written as {@code null} and read back as NaN.
     *
     * @param superstimulus the render's value of its unit over the largest among the real images
     * @param plausibility cosine similarity at {@code layer} to the mean of the unit's {@code top} best real images
     * @param activation the render's value of its unit
     * @param bestReal the largest value of the unit among the {@code images} real images
     */
    public record Quality(double superstimulus, double plausibility, double activation, double bestReal, String layer,
                          int top, long images) {
        public Quality {
            Objects.requireNonNull(layer, "layer");
        }

        /** The JSON object: the manifest's and --json's. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("superstimulus", finiteOrNull(superstimulus));
            m.put("plausibility", finiteOrNull(plausibility));
            m.put("activation", finiteOrNull(activation));
            m.put("best_real", finiteOrNull(bestReal));
            m.put("layer", layer);
            m.put("top", top);
            m.put("images", images);
            return m;
        }
    }

    private static Double finiteOrNull(double d) {
        return Double.isFinite(d) ? d : null;
    }

    /** Two renders with the same key met in {@link #merge}: which one stayed. */
    public record Conflict(Render kept, Render dropped) {
    }

    /**
     * Which of two renders with the same key {@link #merge} keeps, whatever the order they come in: the higher
     * objective (NaN loses), then the smaller file name, then the shorter time.
     */
    public static final Comparator<Render> PREFERENCE = Comparator
            .comparingDouble((Render r) -> Double.isNaN(r.objective()) ? Double.NEGATIVE_INFINITY : r.objective())
            .reversed()
            .thenComparing(Render::file)
            .thenComparingDouble(r -> Double.isNaN(r.seconds()) ? Double.POSITIVE_INFINITY : r.seconds());

    private final TreeMap<String, Map<String, Object>> settings = new TreeMap<>();
    private final TreeMap<Key, Render> renders = new TreeMap<>();

    /** An empty manifest. */
    public Manifest() {
    }

    /**
     * The manifest of {@code dir}; an empty one when the directory has no {@value #FILE_NAME} yet.
     *
     * @throws UsageException naming the file when it is unreadable, not JSON, or not a manifest of this format
     */
    public static Manifest load(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new Manifest();
        } catch (IOException e) {
            throw new UsageException("cannot read manifest " + file + ": " + describe(e), e);
        }
        return parse(bytes, file.toString());
    }

    /** Whether {@code dir} has a {@value #FILE_NAME}. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE_NAME));
    }

    /**
     * Reads a manifest from its JSON bytes.
     *
     * @param source names the manifest in error messages, a file name usually
     * @throws UsageException naming {@code source} when the bytes are not a manifest of this format
     */
    public static Manifest parse(byte[] json, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw invalid(source, "not valid JSON" + where + " (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw invalid(source, "not valid JSON (" + describe(e) + ")", e);
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw invalid(source, "not a featviz manifest (expected a JSON object)", null);
        }
        JsonNode format = root.get("format");
        if (format == null || !format.isTextual()) {
            throw invalid(source, "not a featviz manifest (no \"format\": \"" + FORMAT + "\")", null);
        }
        if (!format.asText().equals(FORMAT)) {
            throw invalid(source, "format " + format.asText() + " is not " + FORMAT
                    + " (written by another featviz version?)", null);
        }
        Manifest manifest = new Manifest();
        JsonNode settings = root.get("settings");
        if (settings != null && !settings.isNull()) {
            if (!settings.isObject()) {
                throw invalid(source, "\"settings\" is not an object", null);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = settings.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (!entry.getValue().isObject()) {
                    throw invalid(source, "settings " + entry.getKey() + " is not an object", null);
                }
                try {
                    manifest.settings.put(entry.getKey(), canonicalObject(entry.getValue()));
                } catch (IllegalArgumentException e) {
                    throw invalid(source, "settings " + entry.getKey() + ": " + e.getMessage(), e);
                }
            }
        }
        JsonNode renders = root.get("renders");
        if (renders != null && !renders.isNull()) {
            if (!renders.isArray()) {
                throw invalid(source, "\"renders\" is not an array", null);
            }
            for (int i = 0; i < renders.size(); i++) {
                Render render = readRender(renders.get(i), source, "render " + (i + 1));
                if (!manifest.settings.containsKey(render.settings())) {
                    throw invalid(source, "render " + (i + 1) + " refers to settings " + render.settings()
                            + ", which \"settings\" does not hold", null);
                }
                manifest.renders.put(render.key(), render);
            }
        }
        return manifest;
    }

    private static Render readRender(JsonNode node, String source, String what) {
        if (!node.isObject()) {
            throw invalid(source, what + " is not an object", null);
        }
        String model = text(node, "model", source, what);
        String layer = text(node, "layer", source, what);
        JsonNode channel = node.get("channel");
        if (channel == null || !channel.canConvertToInt() || !channel.isIntegralNumber() || channel.asInt() < 0) {
            throw invalid(source, what + " has no \"channel\" (an integer from 0)", null);
        }
        String file = text(node, "file", source, what);
        String problem = relativePathProblem(file);
        if (problem != null) {
            throw invalid(source, what + ": file " + file + ": " + problem, null);
        }
        String settingsId = text(node, "settings", source, what);
        JsonNode flat = node.get("flat");
        JsonNode heat = node.get("transparency");
        String heatFile = heat != null && heat.isTextual() ? heat.asText() : null;
        if (heatFile != null && relativePathProblem(heatFile) != null) {
            throw invalid(source, what + ": transparency " + heatFile + ": " + relativePathProblem(heatFile), null);
        }
        return new Render(model, layer, channel.asInt(), file, number(node, "objective", source, what),
                number(node, "seconds", source, what), settingsId, flat != null && flat.asBoolean(false), heatFile,
                readQuality(node.get("quality"), source, what));
    }

    /** A render's optional "quality" object (manifests written before it existed have none). */
    private static Quality readQuality(JsonNode node, String source, String what) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw invalid(source, what + ": \"quality\" is not an object", null);
        }
        String where = what + " quality";
        JsonNode top = node.get("top");
        JsonNode images = node.get("images");
        if (top == null || !top.canConvertToInt() || images == null || !images.canConvertToLong()) {
            throw invalid(source, where + " has no \"top\" and \"images\" (integers)", null);
        }
        return new Quality(number(node, "superstimulus", source, where), number(node, "plausibility", source, where),
                number(node, "activation", source, where), number(node, "best_real", source, where),
                text(node, "layer", source, where), top.asInt(), images.asLong());
    }

    private static String text(JsonNode node, String field, String source, String what) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw invalid(source, what + " has no \"" + field + "\" (a string)", null);
        }
        return value.asText();
    }

    private static double number(JsonNode node, String field, String source, String what) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Double.NaN;
        }
        if (!value.isNumber()) {
            throw invalid(source, what + ": \"" + field + "\" is not a number", null);
        }
        return value.asDouble();
    }

    private static UsageException invalid(String source, String reason, Throwable cause) {
        return new UsageException("cannot read manifest " + source + ": " + reason, cause);
    }

    /**
     * The id of a settings object: the first 12 hex digits of the SHA-256 of its canonical JSON (UTF-8, keys
     * sorted at every level, no spaces, integral numbers as integers so 128 and 128.0 are the same, others as
     * Java's {@code Double.toString}).
     *
     * @throws IllegalArgumentException for values JSON cannot hold (objects other than strings, numbers,
     *     booleans, null, lists and maps with string keys) or non-finite numbers
     */
    public static String settingsId(Map<String, ?> settings) {
        return hash(canonicalJson(canonicalMap(settings)));
    }

    /** The canonical JSON of a settings object, as {@link #settingsId} hashes it. */
    public static String canonicalJson(Map<String, ?> settings) {
        try {
            return MAPPER.writeValueAsString(canonicalMap(settings));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hash(String canonical) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no SHA-256", e);
        }
    }

    /**
     * Adds a settings object (what a render was made with: model, weights, layer, steps, size, optimizer...)
     * and returns its id, {@link #settingsId(Map)}. Adding the same settings again changes nothing.
     */
    public String addSettings(Map<String, ?> values) {
        Map<String, Object> canonical = canonicalMap(values);
        String id = settingsId(canonical);
        Map<String, Object> old = settings.putIfAbsent(id, canonical);
        if (old != null && !old.equals(canonical)) {
            throw new IllegalStateException("settings id " + id + " already stands for other settings: " + old);
        }
        return id;
    }

    /** The settings with this id, sorted by key; empty if the manifest has none with it. */
    public Optional<Map<String, Object>> settings(String id) {
        return Optional.ofNullable(settings.get(id)).map(Collections::unmodifiableMap);
    }

    /** Every settings object by id, sorted by id. */
    public Map<String, Map<String, Object>> settings() {
        Map<String, Map<String, Object>> copy = new LinkedHashMap<>();
        settings.forEach((id, values) -> copy.put(id, Collections.unmodifiableMap(values)));
        return Collections.unmodifiableMap(copy);
    }

    /**
     * Adds a render, replacing the one with the same {@link Key}.
     *
     * @return the render it replaced, if any
     * @throws IllegalArgumentException when the render's settings id is not in this manifest: add the
     *     settings first ({@link #addSettings})
     */
    public Optional<Render> add(Render render) {
        if (!settings.containsKey(render.settings())) {
            throw new IllegalArgumentException("settings " + render.settings()
                    + " are not in this manifest: add them with addSettings first");
        }
        return Optional.ofNullable(renders.put(render.key(), render));
    }

    /** Adds the settings and then a render made with them; returns the render as added, its settings id filled in. */
    public Render add(Map<String, ?> renderSettings, String model, String layer, int channel, String file,
                      double objective, double seconds) {
        Render render = new Render(model, layer, channel, file, objective, seconds, addSettings(renderSettings));
        add(render);
        return render;
    }

    /** An independent copy. */
    public Manifest copy() {
        Manifest copy = new Manifest();
        copy.settings.putAll(settings);
        copy.renders.putAll(renders);
        return copy;
    }

    /** The render with this key, if there is one. */
    public Optional<Render> get(Key key) {
        return Optional.ofNullable(renders.get(key));
    }

    /** Removes the render with this key; returns it, if there was one. Its settings stay. */
    public Optional<Render> remove(Key key) {
        return Optional.ofNullable(renders.remove(key));
    }

    /** Every render, sorted by (model, layer, channel, settings id). */
    public List<Render> entries() {
        return List.copyOf(renders.values());
    }

    public int size() {
        return renders.size();
    }

    public boolean isEmpty() {
        return renders.isEmpty();
    }

    /**
     * Adds every settings object and render of {@code other}. Where both have a render with the same key,
     * the one {@link #PREFERENCE} puts first stays, so merging A into B keeps the same renders as B into A.
     *
     * @return the renders that met one with the same key, and which of each pair stayed; identical pairs too
     * @throws UsageException when both have settings under the same id that differ (edited by hand)
     */
    public List<Conflict> merge(Manifest other) {
        for (Map.Entry<String, Map<String, Object>> entry : other.settings.entrySet()) {
            Map<String, Object> mine = settings.get(entry.getKey());
            if (mine != null && !mine.equals(entry.getValue())) {
                throw new UsageException("two manifests hold different settings under the same id "
                        + entry.getKey() + ": " + canonicalJson(mine) + " and " + canonicalJson(entry.getValue()));
            }
        }
        settings.putAll(other.settings);
        List<Conflict> conflicts = new ArrayList<>();
        for (Render theirs : other.renders.values()) {
            Render mine = renders.get(theirs.key());
            if (mine == null) {
                renders.put(theirs.key(), theirs);
            } else if (PREFERENCE.compare(theirs, mine) < 0) {
                renders.put(theirs.key(), theirs);
                conflicts.add(new Conflict(theirs, mine));
            } else {
                conflicts.add(new Conflict(mine, theirs));
            }
        }
        return conflicts;
    }

    /** A manifest holding all of these, merged in order ({@link #merge}); the conflicts are dropped. */
    public static Manifest merged(List<Manifest> parts) {
        Manifest all = new Manifest();
        for (Manifest part : parts) {
            all.merge(part);
        }
        return all;
    }

    /**
     * Writes {@code dir/manifest.json}, replacing it atomically.
     *
     * @throws UsageException when the directory does not exist or is not writable
     * @throws featviz.RunFailure when writing fails otherwise
     */
    public void write(Path dir) {
        AtomicFiles.write(dir.resolve(FILE_NAME), toJson().getBytes(StandardCharsets.UTF_8));
    }

    /** The file's content: the same manifest gives the same text. */
    public String toJson() {
        try {
            StringBuilder json = new StringBuilder();
            json.append("{\n  \"format\": ").append(MAPPER.writeValueAsString(FORMAT)).append(",\n");
            json.append("  \"settings\": {");
            String separator = "\n";
            for (Map.Entry<String, Map<String, Object>> entry : settings.entrySet()) {
                json.append(separator).append("    ").append(MAPPER.writeValueAsString(entry.getKey())).append(": ")
                        .append(MAPPER.writeValueAsString(entry.getValue()));
                separator = ",\n";
            }
            json.append(settings.isEmpty() ? "},\n" : "\n  },\n");
            json.append("  \"renders\": [");
            separator = "\n";
            for (Render r : renders.values()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("model", r.model());
                row.put("layer", r.layer());
                row.put("channel", r.channel());
                row.put("file", r.file());
                row.put("objective", Double.isFinite(r.objective()) ? r.objective() : null);
                row.put("seconds", Double.isFinite(r.seconds()) ? r.seconds() : null);
                row.put("settings", r.settings());
                if (r.flat()) {
                    row.put("flat", true);
                }
                if (r.transparency() != null) {
                    row.put("transparency", r.transparency());
                }
                if (r.quality() != null) {
                    row.put("quality", r.quality().toMap());
                }
                json.append(separator).append("    ").append(MAPPER.writeValueAsString(row));
                separator = ",\n";
            }
            json.append(renders.isEmpty() ? "]\n" : "\n  ]\n");
            return json.append("}\n").toString();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Manifest m && settings.equals(m.settings) && renders.equals(m.renders);
    }

    @Override
    public int hashCode() {
        return Objects.hash(settings, renders);
    }

    @Override
    public String toString() {
        return "Manifest[" + renders.size() + " renders, " + settings.size() + " settings]";
    }

    /** Why a render's file name is not a plain relative path inside the directory, or null when it is. */
    static String relativePathProblem(String file) {
        if (file.isEmpty()) {
            return "empty";
        }
        if (file.startsWith("/") || file.contains("\\") || (file.length() > 1 && file.charAt(1) == ':')) {
            return "not a relative path with / separators";
        }
        for (String segment : file.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return "not a plain relative path inside the directory (empty, . or .. part)";
            }
        }
        if (file.indexOf('\0') >= 0) {
            return "contains NUL";
        }
        return null;
    }

    // Canonical values: String, Boolean, null, Long or BigInteger for integral numbers, Double for the rest,
    // List, and TreeMap for objects. The same settings give equal values whether built in Java or read back.

    private static Map<String, Object> canonicalMap(Map<String, ?> values) {
        Objects.requireNonNull(values, "settings");
        TreeMap<String, Object> sorted = new TreeMap<>();
        for (Map.Entry<String, ?> entry : values.entrySet()) {
            if (entry.getKey() == null) {
                throw new IllegalArgumentException("settings keys cannot be null");
            }
            sorted.put(entry.getKey(), canonicalValue(entry.getValue(), entry.getKey()));
        }
        return sorted;
    }

    private static Object canonicalValue(Object value, String key) {
        if (value == null || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger big) {
            return big.bitLength() < 64 ? (Object) big.longValue() : big;
        }
        if (value instanceof Float || value instanceof Double || value instanceof BigDecimal) {
            double d = ((Number) value).doubleValue();
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("setting " + key + " is not a finite number: " + value);
            }
            if (d == Math.rint(d) && Math.abs(d) <= EXACT_DOUBLE_INTEGERS) {
                return (long) d;
            }
            return d;
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof Map<?, ?> map) {
            TreeMap<String, Object> sorted = new TreeMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!(entry.getKey() instanceof String k)) {
                    throw new IllegalArgumentException("setting " + key + " has a key that is not a string: " + entry.getKey());
                }
                sorted.put(k, canonicalValue(entry.getValue(), key + "." + k));
            }
            return sorted;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (Object item : list) {
                copy.add(canonicalValue(item, key + "[]"));
            }
            return Collections.unmodifiableList(copy);
        }
        throw new IllegalArgumentException("setting " + key + " is not a JSON value (string, number, boolean, "
                + "list, map): " + value.getClass().getName());
    }

    private static Map<String, Object> canonicalObject(JsonNode node) {
        @SuppressWarnings("unchecked")
        Map<String, Object> plain = MAPPER.convertValue(node, Map.class);
        return canonicalMap(plain);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message.strip().lines().findFirst().orElse("");
    }
}
