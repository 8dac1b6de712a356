package featviz.analysis;

import featviz.UsageException;
import featviz.io.ImageFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads the images of a directory at the network's size, deciding what to do with a file that is not an
 * image: by default it is skipped with a one-line warning and counted (a dataset directory often holds a
 * stray README or thumbnail database, and one such file should not throw away an hour of forward
 * passes); strict, the first such file stops the run (exit 2) before anything is written.
 */
public final class ImageLoader {
    private final int height;
    private final int width;
    private final int channels;
    private final boolean strict;
    private final Consumer<String> warnings;
    private final List<Path> skipped = new ArrayList<>();

    /** @param channels the model's input channels: a colour photo becomes grey for a 1-channel model */
    public ImageLoader(int height, int width, int channels, boolean strict, Consumer<String> warnings) {
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.strict = strict;
        this.warnings = warnings;
    }

    /** The image as [1, channels, height, width] in [0, 1], or null when it was skipped. */
    public INDArray read(Path file) {
        try {
            return ImageFiles.read(file, height, width, channels);
        } catch (UsageException e) {
            if (strict) {
                throw new UsageException(e.getMessage() + " (--strict; without it unreadable files are skipped)");
            }
            skipped.add(file);
            warnings.accept("warning: skipped " + file + ": " + e.getMessage().replaceFirst("^cannot read image \\S+: ", ""));
            return null;
        }
    }

    /** An image the user named (a probe, an IMAGE argument): unreadable is always an error. */
    public INDArray readNamed(Path file) {
        return ImageFiles.read(file, height, width, channels);
    }

    public List<Path> skipped() {
        return Collections.unmodifiableList(skipped);
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }
}
