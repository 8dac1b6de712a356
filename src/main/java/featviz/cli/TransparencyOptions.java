package featviz.cli;

import featviz.UsageException;
import featviz.job.ImageOutput;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code --alpha} and {@code --transparency}: where the gradient of the objective went, accumulated over the
 * steps as MACO does ({@link featviz.render.Renderer#transparency}), written as the PNG's alpha channel or as a
 * heat map beside it.
 */
public final class TransparencyOptions {
    @Option(names = "--alpha",
            description = "Write the transparency (|gradient| accumulated over the steps, MACO's map of what the unit " +
                "looked at) as the PNG's alpha channel: opaque where the unit looked, see-through elsewhere.")
    boolean alpha;

    @Option(names = "--transparency", paramLabel = "FILE.png", arity = "0..1", fallbackValue = "",
            description = "Also write the transparency as a heat map (black: no gradient, to white: the most): to FILE " +
                "(one image; with --batch N FILE_0.png ...), or without FILE beside each image as NAME_transparency.png.")
    String transparency;

    ImageOutput output() {
        return new ImageOutput(alpha, transparency != null);
    }

    /** The heat map file the user named, or null for beside the image. */
    Path heatMapFile() {
        return transparency == null || transparency.isEmpty() ? null : Path.of(transparency);
    }

    /**
     * Checks the options against the output before any work (loading a model can mean a download).
     *
     * @param output the image file, or a directory in directory mode; null for the default name (always .png)
     */
    void validateOutput(Path output, boolean directoryMode) {
        if (alpha && output != null && !directoryMode) {
            String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
            int dot = name.lastIndexOf('.');
            String ext = dot < 0 ? "" : name.substring(dot + 1);
            if (!ext.isEmpty() && !ext.equals("png")) {
                throw new UsageException("--alpha writes the transparency as a PNG's alpha channel, but " + output
                        + " names a ." + ext + " file, which has none; name it .png, or use --transparency for a"
                        + " separate heat map");
            }
        }
        if (directoryMode && heatMapFile() != null) {
            throw new UsageException("--transparency FILE is for one image; for several channels leave FILE out and"
                    + " each map is written beside its image (NNNN_transparency.png)");
        }
    }

    /** @param modelChannels the images' channels: 2 (grey+alpha) and 4 (RGBA) already use the alpha channel */
    void validateModel(int modelChannels) {
        if (alpha && (modelChannels == 2 || modelChannels == 4)) {
            throw new UsageException("--alpha: this model's images already use their alpha channel (" + modelChannels
                    + " channels, " + (modelChannels == 4 ? "RGBA" : "grey+alpha") + "); use --transparency for a"
                    + " separate heat map");
        }
    }
}
