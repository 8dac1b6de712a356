package featviz.gallery;

import featviz.job.Manifest;
import featviz.RunFailure;
import featviz.UsageException;
import featviz.io.AtomicFiles;
import featviz.io.PngWriter;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Builds a gallery directory from the output directories of one or more (sharded) runs: the merged manifest,
 * the images under their relative paths (hard links where the file system allows, copies otherwise), one
 * contact sheet per group and an {@code index.html}.
 *
 * <p>Groups are (model, layer), split further by settings id where one layer was rendered with several
 * settings. With one group the sheet is {@code contact-sheet.png}; with several, each group's is
 * {@code contact-sheet-<model>-<layer>[-<settings id>].png} (characters other than letters, digits,
 * {@code . _ -} become {@code _}).
 *
 * <p>Merging: renders with the same key (model, layer, channel, settings) in several directories are one
 * render: {@link Manifest#PREFERENCE} picks which (highest objective), whatever the order of the directories,
 * and a warning names the directories. The same channel with different settings is kept once per settings;
 * where their files have the same relative path, all but the first (by settings id) are renamed
 * {@code <name>-<settings id>.<ext>} in the gallery. A render whose image file is missing is reported and
 * left out of the gallery (its manifest, sheets and page); an image that cannot be read is reported and shown
 * as a dark red cell on its sheet.
 */
public final class Gallery {
    public static final String INDEX = "index.html";
    public static final String SHEET = "contact-sheet.png";

    /**
     * How the gallery looks: thumbnail size in pixels, columns of the sheets (0: ceil(sqrt(n))), page title,
     * and dataset examples to show beside the renders they belong to.
     */
    public record Options(int thumb, int columns, String title, List<ExampleCrops> examples) {
        public Options(int thumb, int columns, String title) {
            this(thumb, columns, title, List.of());
        }

        public Options {
            examples = List.copyOf(examples);
            if (thumb < ContactSheet.MIN_THUMB || thumb > ContactSheet.MAX_THUMB) {
                throw new UsageException("--thumb must be " + ContactSheet.MIN_THUMB + " to " + ContactSheet.MAX_THUMB
                        + " pixels, not " + thumb);
            }
            if (columns < 0) {
                throw new UsageException("--columns must be at least 1, not " + columns);
            }
        }
    }

    /** One contact sheet: its file (relative to the gallery), what it shows and its grid. */
    public record Sheet(String file, String model, String layer, String settings, int images, int columns, int rows) {
    }

    /** Renders with the same key in several directories: the one kept, from where, and every directory it was in. */
    public record Duplicate(Manifest.Key key, String kept, List<String> directories) {
    }

    /** What {@link #build} did. Paths are as the caller gave them, joined with the render's file. */
    public record Result(Path output, int images, int directories, List<Sheet> sheets, int linked, int copied,
                         int unchanged, List<Duplicate> duplicates, List<String> missing, List<String> unreadable) {
        public boolean complete() {
            return missing.isEmpty() && unreadable.isEmpty();
        }
    }

    private record Group(String model, String layer, String settings) {
    }

    private enum Placement { LINKED, COPIED, UNCHANGED }

    private Gallery() {
    }

    /**
     * Builds the gallery in {@code output} (created if missing). Existing files there with the same names are
     * replaced; others are left alone.
     *
     * @param warnings told, one line each, about missing and unreadable images and duplicates
     * @throws UsageException when a directory or its manifest is missing or invalid, or the output cannot be written
     * @throws RunFailure when writing fails otherwise
     */
    public static Result build(List<Path> directories, Path output, Options options, Consumer<String> warnings) {
        if (directories.isEmpty()) {
            throw new UsageException("name at least one directory with a manifest.json");
        }
        List<Path> dirs = distinct(directories);
        List<Manifest> parts = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Path dir : dirs) {
            Manifest manifest = Manifest.load(dir);
            for (Manifest.Render r : manifest.entries()) {
                if (!Files.isRegularFile(r.path(dir))) {
                    missing.add(r.path(dir).toString());
                    warnings.accept("missing image " + r.path(dir) + ", listed for " + describe(r.key()) + " in "
                            + dir.resolve(Manifest.FILE_NAME));
                    manifest.remove(r.key());
                }
            }
            parts.add(manifest);
        }

        Manifest merged = new Manifest();
        for (int i = 0; i < parts.size(); i++) {
            try {
                merged.merge(parts.get(i));
            } catch (UsageException e) {
                throw new UsageException("cannot merge " + dirs.get(i).resolve(Manifest.FILE_NAME) + ": " + e.getMessage(), e);
            }
        }

        // Where each kept render comes from, and which keys were in several directories.
        List<Manifest.Render> kept = merged.entries();
        Map<Manifest.Key, Path> source = new LinkedHashMap<>();
        List<Duplicate> duplicates = new ArrayList<>();
        for (Manifest.Render r : kept) {
            List<String> holders = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                Manifest.Render there = parts.get(i).get(r.key()).orElse(null);
                if (there != null) {
                    holders.add(dirs.get(i).toString());
                    if (there.equals(r) && !source.containsKey(r.key())) {
                        source.put(r.key(), dirs.get(i));
                    }
                }
            }
            if (holders.size() > 1) {
                Path from = source.get(r.key());
                duplicates.add(new Duplicate(r.key(), r.path(from).toString(), List.copyOf(holders)));
                warnings.accept("warning: " + describe(r.key()) + " was rendered in " + holders.size() + " directories ("
                        + String.join(", ", holders) + "); kept " + r.path(from) + " (objective "
                        + GalleryPage.number(r.objective()).replace("&#8212;", "unknown") + ")");
            }
        }

        // Groups, and the sheets' names, before the images are placed, so no image takes a sheet's name.
        Map<String, Set<String>> settingsPerLayer = new TreeMap<>();
        for (Manifest.Render r : kept) {
            settingsPerLayer.computeIfAbsent(r.model() + "\0" + r.layer(), k -> new HashSet<>()).add(r.settings());
        }
        Map<Group, List<Manifest.Render>> groups = new LinkedHashMap<>();
        for (Manifest.Render r : kept) {
            boolean split = settingsPerLayer.get(r.model() + "\0" + r.layer()).size() > 1;
            groups.computeIfAbsent(new Group(r.model(), r.layer(), split ? r.settings() : null), g -> new ArrayList<>()).add(r);
        }
        // Kept renders are sorted by (model, layer, channel, settings): regroup so each group's renders are
        // in channel order and the groups in (model, layer, settings) order.
        Map<Group, List<Manifest.Render>> ordered = new TreeMap<>(java.util.Comparator
                .comparing(Group::model).thenComparing(Group::layer)
                .thenComparing(g -> g.settings() == null ? "" : g.settings()));
        ordered.putAll(groups);

        Set<String> claimed = new HashSet<>();
        claimed.add(Manifest.FILE_NAME);
        claimed.add(INDEX);
        Map<Group, String> sheetNames = new LinkedHashMap<>();
        for (Group g : ordered.keySet()) {
            String name = ordered.size() == 1 ? SHEET
                    : "contact-sheet-" + safe(g.model()) + "-" + safe(g.layer()) + (g.settings() == null ? "" : "-" + safe(g.settings())) + ".png";
            sheetNames.put(g, unique(name, claimed));
        }

        createDirectory(output);
        Manifest result = merged.copy();
        int linked = 0;
        int copied = 0;
        int unchanged = 0;
        Map<Manifest.Key, Manifest.Render> placed = new LinkedHashMap<>();
        for (Manifest.Render r : kept) {
            String file = unique(r.file(), claimed, r.settings());
            Manifest.Render out = r.withFile(file);
            switch (place(r.path(source.get(r.key())), out.path(output))) {
                case LINKED -> linked++;
                case COPIED -> copied++;
                case UNCHANGED -> unchanged++;
            }
            out = placeTransparency(r, out, source.get(r.key()), output, claimed, warnings);
            result.add(out); // same key: replaces the render with its name in the gallery
            placed.put(r.key(), out);
        }

        Map<Manifest.Key, List<String>> examples = placeExamples(options.examples(), placed.values(), output, claimed, warnings);

        List<String> unreadable = new ArrayList<>();
        List<Sheet> sheets = new ArrayList<>();
        List<GalleryPage.Section> sections = new ArrayList<>();
        for (Map.Entry<Group, List<Manifest.Render>> entry : ordered.entrySet()) {
            Group g = entry.getKey();
            List<Manifest.Render> renders = entry.getValue().stream().map(r -> placed.get(r.key())).toList();
            List<ContactSheet.Cell> cells = renders.stream()
                    .map(r -> new ContactSheet.Cell(r.path(output), r.channel() + (r.flat() ? " flat" : ""),
                            examples.getOrDefault(r.key(), List.of()).stream().map(output::resolve).toList())).toList();
            int columns = Math.min(options.columns() > 0 ? options.columns() : ContactSheet.defaultColumns(cells.size()), cells.size());
            BufferedImage image = ContactSheet.render(cells, options.thumb(), columns, (path, reason) -> {
                unreadable.add(path.toString());
                warnings.accept(reason);
            });
            String sheetFile = sheetNames.get(g);
            Map<String, String> text = new LinkedHashMap<>();
            text.put("Title", "featviz contact sheet: " + g.model() + " " + g.layer()
                    + (g.settings() == null ? "" : " (settings " + g.settings() + ")"));
            text.put("Software", "featviz gallery");
            PngWriter.write(image, output.resolve(sheetFile), text);
            int rows = (cells.size() + columns - 1) / columns;
            sheets.add(new Sheet(sheetFile, g.model(), g.layer(), g.settings(), cells.size(), columns, rows));
            String title = g.model() + " \u00b7 " + g.layer() + (g.settings() == null ? "" : " \u00b7 settings " + g.settings());
            sections.add(new GalleryPage.Section(title, sheetFile, renders, examples));
        }

        String html = GalleryPage.html(options.title(), sections, result.settings(), options.thumb());
        AtomicFiles.write(output.resolve(INDEX), html.getBytes(StandardCharsets.UTF_8));
        result.write(output);
        return new Result(output, kept.size(), dirs.size(), List.copyOf(sheets), linked, copied, unchanged,
                List.copyOf(duplicates), List.copyOf(missing), List.copyOf(unreadable));
    }

    /**
     * Puts each render's dataset examples into the gallery under
     * {@code examples/<model>/<layer>/<channel>/<rank>.png} (linked or copied as the renders are) and returns their
     * relative paths per render. An example set that matches no render, and a crop that is missing, is a warning.
     */
    private static Map<Manifest.Key, List<String>> placeExamples(List<ExampleCrops> sets, java.util.Collection<Manifest.Render> renders,
                                                                  Path output, Set<String> claimed, Consumer<String> warnings) {
        Map<Manifest.Key, List<String>> result = new LinkedHashMap<>();
        for (ExampleCrops set : sets) {
            boolean used = false;
            for (Manifest.Render r : renders) {
                List<String> crops = set.of(r.model(), r.layer(), r.channel());
                used |= !crops.isEmpty();
                for (String crop : crops) {
                    Path source = set.directory().resolve(crop);
                    if (!Files.isRegularFile(source)) {
                        warnings.accept("warning: missing example " + source + " for " + describe(r.key()) + "; left out");
                        continue;
                    }
                    String file = unique("examples/" + safe(r.model()) + "/" + safe(r.layer()) + "/" + crop, claimed);
                    place(source, output.resolve(file));
                    result.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(file);
                }
            }
            if (!used) {
                warnings.accept("warning: the examples in " + set.directory() + " (" + set.model() + " " + set.layer()
                        + ") belong to no render in the gallery");
            }
        }
        return result;
    }

    /** "vgg19 block5_conv4 channel 4 (settings 3f9a0c1b2d4e)" */
    static String describe(Manifest.Key key) {
        return key.model() + " " + key.layer() + " channel " + key.channel() + " (settings " + key.settings() + ")";
    }

    private static List<Path> distinct(List<Path> directories) {
        List<Path> dirs = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (Path dir : directories) {
            if (!Files.exists(dir)) {
                throw new UsageException("cannot read " + dir + ": no such directory");
            }
            if (!Files.isDirectory(dir)) {
                throw new UsageException("cannot read " + dir + ": not a directory (name the directory that holds manifest.json)");
            }
            if (!Manifest.exists(dir)) {
                throw new UsageException("no " + Manifest.FILE_NAME + " in " + dir
                        + " (is it a directory that featviz maximize --output wrote?)");
            }
            Path real;
            try {
                real = dir.toRealPath();
            } catch (IOException e) {
                throw new UsageException("cannot read " + dir + ": " + e.getMessage(), e);
            }
            if (seen.add(real)) {
                dirs.add(dir);
            }
        }
        return dirs;
    }

    private static void createDirectory(Path output) {
        if (Files.exists(output) && !Files.isDirectory(output)) {
            throw new UsageException("cannot write the gallery to " + output + ": it is a file, not a directory");
        }
        try {
            Files.createDirectories(output);
        } catch (IOException e) {
            throw new UsageException("cannot create directory " + output + ": " + e.getMessage(), e);
        }
    }

    /** The name itself if free, else name-2, name-3... before the extension; claims it. */
    /** The render's transparency heat map placed beside its image in the gallery, if it has one that exists. */
    private static Manifest.Render placeTransparency(Manifest.Render r, Manifest.Render out, Path from, Path output,
                                                     Set<String> claimed, java.util.function.Consumer<String> warnings) {
        if (r.transparency() == null) {
            return out;
        }
        Path heat = from.resolve(r.transparency());
        if (!Files.isRegularFile(heat)) {
            warnings.accept("transparency map " + heat + " is missing; showing channel " + r.channel() + " without it");
            return out.withTransparency(null);
        }
        String file = unique(r.transparency(), claimed, r.settings());
        place(heat, output.resolve(file));
        return out.withTransparency(file);
    }

    private static String unique(String name, Set<String> claimed) {
        String candidate = name;
        for (int n = 2; !claimed.add(candidate); n++) {
            candidate = withSuffix(name, "-" + n);
        }
        return candidate;
    }

    /** The file name itself if free, else with the settings id before the extension, then a counter. */
    private static String unique(String file, Set<String> claimed, String settingsId) {
        if (claimed.add(file)) {
            return file;
        }
        return unique(withSuffix(file, "-" + safe(settingsId)), claimed);
    }

    private static String withSuffix(String file, String suffix) {
        int slash = file.lastIndexOf('/');
        int dot = file.lastIndexOf('.');
        return dot > slash + 1 ? file.substring(0, dot) + suffix + file.substring(dot) : file + suffix;
    }

    static String safe(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-' ? c : '_');
        }
        return out.length() == 0 ? "_" : out.toString();
    }

    /**
     * Puts {@code source} at {@code target}: nothing to do when they are the same file already; else a hard
     * link made under a temporary name and renamed over the target; where links are not possible (another
     * file system, no permission) an atomic copy.
     */
    private static Placement place(Path source, Path target) {
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
        } catch (FileAlreadyExistsException e) {
            throw new UsageException("cannot write " + target + ": " + e.getFile() + " is a file, not a directory", e);
        } catch (IOException e) {
            throw new UsageException("cannot create directory " + target.getParent() + ": " + e.getMessage(), e);
        }
        try {
            if (Files.exists(target) && Files.isSameFile(source, target)) {
                return Placement.UNCHANGED;
            }
        } catch (IOException e) {
            // Decided below by linking or copying.
        }
        if (link(source, target)) {
            return Placement.LINKED;
        }
        AtomicFiles.write(target, out -> Files.copy(source, out));
        return Placement.COPIED;
    }

    private static boolean link(Path source, Path target) {
        Path directory = target.toAbsolutePath().getParent();
        Path temporary = directory.resolve("." + target.getFileName() + ".tmp-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
        try {
            Files.createLink(temporary, source);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
        try {
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return true;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // The failure to move is what matters.
            }
            return false;
        }
    }

    /** One line: "N images in G groups from D directories (...)". */
    public static String summary(Result r) {
        StringBuilder s = new StringBuilder();
        s.append("gallery ").append(r.output()).append(": ").append(r.images()).append(r.images() == 1 ? " image" : " images")
                .append(" in ").append(r.sheets().size()).append(r.sheets().size() == 1 ? " group" : " groups")
                .append(" from ").append(r.directories()).append(r.directories() == 1 ? " directory" : " directories")
                .append(String.format(Locale.ROOT, " (%d linked, %d copied, %d already there)", r.linked(), r.copied(), r.unchanged()));
        if (!r.duplicates().isEmpty()) {
            s.append(", ").append(r.duplicates().size()).append(r.duplicates().size() == 1 ? " duplicate" : " duplicates")
                    .append(" merged");
        }
        if (!r.missing().isEmpty()) {
            s.append(", ").append(r.missing().size()).append(" missing");
        }
        if (!r.unreadable().isEmpty()) {
            s.append(", ").append(r.unreadable().size()).append(" unreadable");
        }
        s.append("; open ").append(r.output().resolve(INDEX));
        return s.toString();
    }

    /** The JSON summary's fields, in order. */
    public static Map<String, Object> summaryJson(Result r) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("output", r.output().toString());
        json.put("index", r.output().resolve(INDEX).toString());
        json.put("manifest", r.output().resolve(Manifest.FILE_NAME).toString());
        json.put("images", r.images());
        json.put("directories", r.directories());
        json.put("linked", r.linked());
        json.put("copied", r.copied());
        json.put("unchanged", r.unchanged());
        List<Map<String, Object>> sheets = new ArrayList<>();
        for (Sheet s : r.sheets()) {
            Map<String, Object> sheet = new LinkedHashMap<>();
            sheet.put("file", r.output().resolve(s.file()).toString());
            sheet.put("model", s.model());
            sheet.put("layer", s.layer());
            sheet.put("settings", s.settings());
            sheet.put("images", s.images());
            sheet.put("columns", s.columns());
            sheet.put("rows", s.rows());
            sheets.add(sheet);
        }
        json.put("sheets", sheets);
        List<Map<String, Object>> duplicates = new ArrayList<>();
        for (Duplicate d : r.duplicates()) {
            Map<String, Object> dup = new LinkedHashMap<>();
            dup.put("model", d.key().model());
            dup.put("layer", d.key().layer());
            dup.put("channel", d.key().channel());
            dup.put("settings", d.key().settings());
            dup.put("kept", d.kept());
            dup.put("directories", d.directories());
            duplicates.add(dup);
        }
        json.put("duplicates", duplicates);
        json.put("missing", r.missing());
        json.put("unreadable", r.unreadable());
        json.put("complete", r.complete());
        return json;
    }
}
