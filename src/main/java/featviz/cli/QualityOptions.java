package featviz.cli;

import featviz.UsageException;
import featviz.analysis.ImageDirectory;
import featviz.analysis.ImageLoader;
import featviz.analysis.LayerActivations;
import featviz.analysis.RenderQuality;
import featviz.io.ImageFiles;
import featviz.job.Manifest;
import featviz.model.VisionModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Option;

/** {@code maximize --examples DIR}: the options of the quality scores, and the real images' pass before rendering. */
public final class QualityOptions {
    /** Real images per forward pass: what {@code examples} uses by default. */
    private static final int BATCH = 16;

    @Option(names = "--examples", paramLabel = "DIR",
            description = "Real images (a directory, e.g. a dataset's test images) to score each render against: " +
                "its superstimulus ratio (its unit's value over the largest among the images) and its plausibility " +
                "(cosine similarity, at --quality-layer, to the mean of the unit's top images, as MACO measures). " +
                "In --json, the manifest and the gallery.")
    Path examples;

    @Option(names = "--quality-layer", paramLabel = "NAME",
            description = "Layer whose vectors (per-channel spatial means, or a dense layer's units) plausibility " +
                "compares. Default: the penultimate layer, the one the model's classifier output reads.")
    String layer;

    @Option(names = "--quality-top", paramLabel = "K",
            description = "How many of each unit's most exciting real images make its reference vector. Default: " +
                "1%% of the images in --examples, at least 1.")
    Integer top;

    private int size;
    private int channels;

    boolean enabled() {
        return examples != null;
    }

    /**
     * Runs the real images once (before any rendering, so bad input stops the command before hours of work).
     *
     * @param units the rendered units' values on any image
     * @throws UsageException for a directory without readable images, a model without a penultimate layer and
     *     no --quality-layer, K below 1
     */
    RenderQuality measure(VisionModel model, RenderQuality.Units units, int unitCount, int px, PrintWriter err,
                          boolean quiet) {
        List<Path> files = ImageDirectory.files(examples);
        String name = layer != null ? layer : RenderQuality.penultimateLayer(model, px);
        if (name == null) {
            throw new UsageException(model.name() + " has no classifier output whose input could serve for plausibility;"
                    + " name a layer with --quality-layer");
        }
        int k = top != null ? top : Math.max(1, (int) Math.round(files.size() / 100.0));
        if (k < 1) {
            throw new UsageException("--quality-top must be at least 1, not " + k);
        }
        size = px;
        channels = model.inputShape()[0];
        ImageLoader loader = new ImageLoader(px, px, channels, false, line -> {
            if (!quiet) {
                err.println("featviz: " + line);
                err.flush();
            }
        });
        RenderQuality quality = RenderQuality.measure(units, unitCount, new LayerActivations(model, name, px), k, files,
                loader, BATCH, ItemProgress.create(err, quiet, "real images", "images", files.size()));
        if (!quiet) {
            err.println(String.format(Locale.ROOT, "featviz: %d real images from %s%s; plausibility at %s against each"
                    + " unit's top %d", quality.images(), examples, loader.skipped().isEmpty() ? ""
                    : " (" + loader.skipped().size() + " unreadable files skipped)", quality.layer(), quality.top()));
            err.flush();
        }
        return quality;
    }

    /** The scores of a written render, read back from its file as a user gets it. */
    Manifest.Quality score(RenderQuality quality, Path png, int unit, int column) {
        INDArray image = ImageFiles.read(png, size, size, channels);
        RenderQuality.Score s = quality.score(image, new int[] {unit}, new int[] {column})[0];
        featviz.model.op.Memory.release(image);
        return new Manifest.Quality(s.superstimulus(), s.plausibility(), s.activation(), s.bestReal(), quality.layer(),
                quality.top(), quality.images());
    }

    /** One line for the terminal. */
    static String describe(Manifest.Quality q) {
        return String.format(Locale.ROOT, "superstimulus %s, plausibility %.3f (%s, top %d of %d real images)",
                Double.isFinite(q.superstimulus()) ? String.format(Locale.ROOT, "%.3gx", q.superstimulus())
                        : "n/a (no real image gives the unit a positive value)",
                q.plausibility(), q.layer(), q.top(), q.images());
    }
}
