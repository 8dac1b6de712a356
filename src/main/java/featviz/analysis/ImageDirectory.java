package featviz.analysis;

import featviz.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The files of a directory of images, in name order: what {@code embed} and {@code examples} read. */
public final class ImageDirectory {
    private ImageDirectory() {
    }

    /**
     * The regular, non-hidden files directly inside {@code dir}, sorted by name (so runs are reproducible).
     * Hidden files (.DS_Store, editors' and featviz's own temporaries) are not candidates at all.
     *
     * @throws UsageException when {@code dir} is not a readable directory or holds no files
     */
    public static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new UsageException(Files.exists(dir) ? dir + " is not a directory" : "no such directory " + dir);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new UsageException("cannot list directory " + dir + ": " + e.getMessage());
        }
        if (files.isEmpty()) {
            throw new UsageException("directory " + dir + " holds no image files");
        }
        return files;
    }
}
