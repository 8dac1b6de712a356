package featviz.cli;

import featviz.UsageException;
import featviz.io.AtomicFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** What the analysis commands (activations, embed, examples) share about their options and output files. */
final class AnalysisOutput {
    private AnalysisOutput() {
    }

    /** {@code WIDTHxHEIGHT} in pixels, each 200 to 8000 (XChart needs room for its axes and legend). */
    static int[] plotSize(String option, String text) {
        String[] parts = text.toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            if (parts.length == 2) {
                int w = Integer.parseInt(parts[0].trim());
                int h = Integer.parseInt(parts[1].trim());
                if (w >= 200 && h >= 200 && w <= 8000 && h <= 8000) {
                    return new int[] {w, h};
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(option + " " + text + ": expected WIDTHxHEIGHT in pixels, each 200 to 8000 (e.g. 1000x500)");
    }

    /** The image size to run at ({@link ImageSize#forImages}), checked. */
    static int imageSize(int px) {
        if (px < 1 || px > 8192) {
            throw new UsageException("--size must be between 1 and 8192 pixels, not " + px);
        }
        return px;
    }

    /** Fails now, before any forward pass, when an output could not be written. */
    static void requireWritable(Path... files) {
        for (Path f : files) {
            if (f != null) {
                AtomicFiles.requireWritableDirectory(f);
            }
        }
    }

    static void writeText(Path file, String text) {
        AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Fails now when {@code dir} is a file, or cannot be created (its nearest existing ancestor is not writable). */
    static void requireWritableDirectory(Path dir) {
        Path d = dir.toAbsolutePath().normalize();
        while (d != null && !java.nio.file.Files.exists(d)) {
            d = d.getParent();
        }
        if (d == null || !java.nio.file.Files.isDirectory(d)) {
            throw new UsageException("cannot write to " + dir + ": " + (d == null ? "no such directory" : d + " is not a directory"));
        }
        if (!java.nio.file.Files.isWritable(d)) {
            throw new UsageException("cannot write to " + dir + ": directory " + d + " is not writable");
        }
    }

    static void createDirectory(Path dir) {
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new featviz.RunFailure("cannot create directory " + dir + ": " + e.getMessage());
        }
    }
}
