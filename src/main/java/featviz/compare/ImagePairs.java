package featviz.compare;

import featviz.UsageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Which files to compare: two files with each other, or two directory trees (a reference and a new one)
 * file by file, matched by their path relative to each root. Only {@code *.png} files count (any case);
 * hidden files and directories (name starting with '.') are skipped, as are files under {@code skip}.
 */
public final class ImagePairs {
    /**
     * One comparison to make. {@code a} is null for a file only in B ("extra"), {@code b} null for a file only
     * in A ("missing").
     *
     * @param name the relative path, with '/' separators (directories), or A's file name (two files)
     */
    public record Pair(String name, Path a, Path b) {
        public boolean missing() {
            return b == null;
        }

        public boolean extra() {
            return a == null;
        }
    }

    private ImagePairs() {
    }

    /** True when both are directories; false when both are files. */
    public static boolean directories(Path a, Path b) {
        requireExists(a, "A");
        requireExists(b, "B");
        boolean dirA = Files.isDirectory(a);
        boolean dirB = Files.isDirectory(b);
        if (dirA != dirB) {
            throw new UsageException("cannot compare " + a + " with " + b + ": "
                    + (dirA ? "A is a directory and B a file" : "A is a file and B a directory")
                    + "; give two files or two directories");
        }
        return dirA;
    }

    /**
     * The pairs, sorted by name: two files give one pair; two directories give every PNG of either, matched
     * by relative path.
     *
     * @param skip a directory whose files are not compared (where diff images go), or null
     * @throws UsageException for a missing path, a file paired with a directory, or an unreadable directory
     */
    public static List<Pair> of(Path a, Path b, Path skip) {
        if (!directories(a, b)) {
            Path name = a.getFileName();
            return List.of(new Pair(name == null ? a.toString() : name.toString(), a, b));
        }
        Map<String, Path> inA = pngs(a, skip);
        Map<String, Path> inB = pngs(b, skip);
        TreeSet<String> names = new TreeSet<>(inA.keySet());
        names.addAll(inB.keySet());
        List<Pair> pairs = new ArrayList<>();
        for (String name : names) {
            pairs.add(new Pair(name, inA.get(name), inB.get(name)));
        }
        return pairs;
    }

    private static void requireExists(Path path, String which) {
        if (!Files.exists(path)) {
            throw new UsageException("cannot compare " + path + ": no such file or directory (" + which + ")");
        }
        if (!Files.isReadable(path)) {
            throw new UsageException("cannot compare " + path + ": permission denied (" + which + ")");
        }
    }

    private static Map<String, Path> pngs(Path root, Path skip) {
        Path skipAbsolute = skip == null ? null : skip.toAbsolutePath().normalize();
        Map<String, Path> found = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> !p.equals(root))
                    .filter(p -> !hidden(root.relativize(p)))
                    .filter(p -> skipAbsolute == null || !p.toAbsolutePath().normalize().startsWith(skipAbsolute))
                    .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
                    .filter(Files::isRegularFile)
                    .forEach(p -> found.put(relativeName(root.relativize(p)), p));
        } catch (IOException | UncheckedIOException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
            throw new UsageException("cannot list " + root + ": " + reason, e);
        }
        return found;
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static String relativeName(Path relative) {
        List<String> parts = new ArrayList<>();
        relative.forEach(p -> parts.add(p.toString()));
        return String.join("/", parts);
    }
}
