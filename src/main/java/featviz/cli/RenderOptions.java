package featviz.cli;

import featviz.UsageException;
import featviz.optim.Adam;
import featviz.optim.NormalizedAscent;
import featviz.optim.Optimizer;
import java.util.Locale;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** How an image is optimised, whatever the objective: steps, optimiser, start image, size, seed. */
public final class RenderOptions {

    @Option(names = "--steps", paramLabel = "N", defaultValue = "128",
            description = "Gradient-ascent steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--optimizer", paramLabel = "adam|normalized", defaultValue = "adam",
            description = {"adam: Adam, Lucid's default (lr 0.05). normalized: the original tutorial's update,",
                "x += step * g / std(g), then clip to the valid range (step 0.05 on the [0,1] pixel",
                "scale = the tutorial's 0.1 on [-1,1]). Default: ${DEFAULT-VALUE}."})
    String optimizer;

    @Option(names = {"--step-size", "--lr"}, paramLabel = "X",
            description = "Learning rate (adam) or step size (normalized). Default: 0.05 for both.")
    Double stepSize;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = {"Seed of the start noise (drawn per channel) and of the random transforms; same seed",
                "and options: same image, byte for byte. Default: ${DEFAULT-VALUE}."})
    long seed;

    @Option(names = "--start", paramLabel = "noise|gray|PATH", defaultValue = "noise",
            description = {"Start image: seeded uniform noise around mid-grey (0.5 +- 0.1), plain mid-grey, or an",
                "image file (JPEG incl. CMYK, PNG, TIFF, BMP, WebP, PSD), resized to --size. Default: ${DEFAULT-VALUE}."})
    String start;

    @Option(names = "--size", paramLabel = "PX",
            description = "Width and height of the image. Default: the model's input size (224 for the zoo).")
    Integer size;

    void validate() {
        if (steps < 1) {
            throw new UsageException("--steps must be at least 1, not " + steps);
        }
        if (size != null && (size < 8 || size > 4096)) {
            throw new UsageException("--size must be between 8 and 4096 pixels, not " + size);
        }
        if (stepSize != null && !(stepSize > 0 && Double.isFinite(stepSize))) {
            throw new UsageException("--step-size must be a positive number, not " + stepSize);
        }
        optimizers().get();
    }

    /** A fresh optimiser for each batch (optimisers keep per-image statistics). */
    Supplier<Optimizer> optimizers() {
        double lr = stepSize != null ? stepSize : 0.05;
        return switch (optimizer.toLowerCase(Locale.ROOT)) {
            case "adam" -> () -> new Adam(lr);
            case "normalized" -> () -> new NormalizedAscent(lr);
            default -> throw new UsageException("unknown --optimizer '" + optimizer + "': expected adam or normalized");
        };
    }

    boolean startsFromFile() {
        String s = start.toLowerCase(Locale.ROOT);
        return !(s.equals("noise") || s.equals("gray") || s.equals("grey"));
    }
}
