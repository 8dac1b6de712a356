package featviz.cli;

import featviz.UsageException;
import featviz.io.AtomicFiles;
import featviz.io.ImageFiles;
import featviz.io.PngWriter;
import featviz.model.ImageNetwork;
import featviz.model.VisionModel;
import featviz.model.ZooModel;
import featviz.objective.ChannelObjective;
import featviz.objective.DeepDreamObjective;
import featviz.objective.Objective;
import featviz.render.DeepDream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code featviz dream}: TensorFlow's DeepDream tutorial on a photo. */
@Command(name = "dream", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"DeepDream on a photo: amplify what a layer sees in it, at several scales.",
            "",
            "As in TensorFlow's tutorial: gradient ascent on a photo itself, so",
            "that whatever --layer sees in it gets amplified, at several scales (octaves).",
            "The result is a PNG of the photo's size.",
            "",
            "Examples:",
            "  featviz dream --input photo.jpg --layer block4_conv3",
            "  featviz dream -i photo.jpg --layer block5_conv4 --index 12 -o dogs.png",
            "  featviz dream -i big.jpg --layer block3_conv4 --octaves -1..3 --tile 256",
            "",
            "Exit codes: 0 done, 1 failure while running, 2 bad usage or input.",
            "",
            "Options:"})
public final class DreamCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-i", "--input"}, paramLabel = "FILE", required = true,
            description = "The photo to dream on (JPEG incl. CMYK, PNG, TIFF, BMP, GIF, WebP, PSD), at its own size, " +
                "in the model's channels: grey (its luma) for a 1-channel model, RGB and alpha for a 4-channel " +
                "one; the PNG written has the same channels.")
    Path input;

    @Option(names = "--layer", paramLabel = "NAME", required = true,
            description = "Layer whose activations to amplify, by the names `featviz layers` prints (e.g. " +
                "block4_conv3). Must be a convolutional (spatial) layer.")
    String layer;

    @Option(names = "--index", paramLabel = "N",
            description = "Amplify only this channel (its mean activation). Default: the whole layer, the " +
                "mean of its squared activations (deepdream).")
    Long index;

    @Option(names = "--octaves", paramLabel = "A..B", defaultValue = "-2..2",
            description = "Octaves n from A to B (or a single n): the photo is resized by octave-scale^n for " +
                "each in turn, each starting from the previous one's result. Default: ${DEFAULT-VALUE} " +
                "(5 octaves, 0.59x to 1.69x the photo's size).")
    String octaves;

    @Option(names = "--octave-scale", paramLabel = "X", defaultValue = "1.3",
            description = "Size ratio between octaves. Default: ${DEFAULT-VALUE}.")
    double octaveScale;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "100",
            description = "Gradient-ascent steps per octave. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--step-size", paramLabel = "X", defaultValue = "0.01",
            description = "Each step adds X * gradient / std(gradient) to the pixels (in [0, 1]) and clips. " +
                "The tutorial's 0.01 on its [-1, 1] scale is 0.005 here. Default: ${DEFAULT-VALUE}.")
    double stepSize;

    @Option(names = "--tile", paramLabel = "PX", defaultValue = "512",
            description = "Octaves larger than PX x PX are cut into tiles of at most that size, computed one at " +
                "a time, so memory depends on the tile and not on the photo. Default: ${DEFAULT-VALUE}.")
    int tile;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of the random roll of the image before tiling at each step (which hides the tile " +
                "seams); same seed and options: same image, byte for byte. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "The PNG to write, atomically. Default: <input name>_dream.png in the current directory.")
    Path output;

    @Option(names = "--json", description = "One JSON object on stdout when done: output, size ([width, height]), seconds.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
    boolean quiet;

    @Mixin
    PrecisionOption precision;

    @Mixin
    DebugOption debugOption;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        PrintWriter err = spec.commandLine().getErr();
        DeepDream.Settings settings = settings();
        precision.validate();
        Path out = output != null ? output : Path.of(stem(input) + "_dream.png");
        AtomicFiles.requireWritableDirectory(out);
        INDArray photo = ImageFiles.readOriginalSize(input); // read before the model: a bad photo fails in a second
        int height = Math.toIntExact(photo.size(2));
        int width = Math.toIntExact(photo.size(3));

        VisionModel model = modelOptions.load(DownloadProgress.forTerminal(err, quiet));
        int channels = model.inputShape()[0];
        if (channels != 3) {
            // grey models dream on the photo's luma, 4-channel ones on its RGB and alpha
            ImageFiles.checkChannels(channels);
            photo = ImageFiles.readOriginalSize(input, channels);
        }
        String vertex = model.resolve(layer);
        checkFits(model, vertex, height, width, settings);
        Objective objective = index == null ? new DeepDreamObjective(vertex, layer)
                : new ChannelObjective(vertex, layer, index);
        ImageNetwork network = model.network(List.of(vertex), DataType.FLOAT, height, width);
        precision.applyTo(network);

        String label = model.name() + " " + layer + (index == null ? "" : ":" + index);
        INDArray dream = new DeepDream(network, objective, settings).run(photo, quiet ? DeepDream.OctaveListener.NONE
                : (octave, count, h, w) -> ProgressBar.create(err, false,
                        String.format(Locale.ROOT, "%s octave %d/%d %dx%d", label, octave, count, w, h)));
        PngWriter.write(ImageFiles.toImage(dream), out, Provenance.chunks(provenance(model), args(model)));

        if (json) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("output", out.toString());
            summary.put("size", List.of(width, height));
            summary.put("seconds", (System.nanoTime() - start) / 1e9);
            spec.commandLine().getOut().println(Json.write(summary));
            spec.commandLine().getOut().flush();
        } else if (!quiet) {
            err.println("wrote " + out);
            err.flush();
        }
        return 0;
    }

    /** Checks every option before any work, so a typo fails in a second rather than after a download. */
    private DeepDream.Settings settings() {
        int[] range = parseOctaves(octaves);
        if (!(octaveScale > 1 && octaveScale <= 4)) {
            throw new UsageException("--octave-scale must be above 1 and at most 4, not " + octaveScale);
        }
        if (steps < 1) {
            throw new UsageException("--steps must be at least 1, not " + steps);
        }
        if (!(stepSize > 0 && Double.isFinite(stepSize))) {
            throw new UsageException("--step-size must be a positive number, not " + stepSize);
        }
        if (tile < 8) {
            throw new UsageException("--tile must be at least 8 pixels, not " + tile);
        }
        if (index != null && index < 0) {
            throw new UsageException("--index must be 0 or more, not " + index);
        }
        return new DeepDream.Settings(range[0], range[1], octaveScale, steps, stepSize, tile, seed);
    }

    static int[] parseOctaves(String spec) {
        String s = spec.trim();
        int dots = s.indexOf("..");
        try {
            int from = Integer.parseInt((dots < 0 ? s : s.substring(0, dots)).trim());
            int to = dots < 0 ? from : Integer.parseInt(s.substring(dots + 2).trim());
            if (to < from) {
                throw new UsageException("--octaves '" + spec + "' runs backwards: write the smaller octave first");
            }
            if (from < -10 || to > 10) {
                throw new UsageException("--octaves '" + spec + "': octaves must lie within -10..10");
            }
            return new int[] {from, to};
        } catch (NumberFormatException e) {
            throw new UsageException("--octaves '" + spec + "' is not a range like -2..2 or a single octave like 0");
        }
    }

    /** The layer must have a spatial output at every tile size the octaves produce. */
    private void checkFits(VisionModel model, String vertex, int height, int width, DeepDream.Settings settings) {
        int minH = Integer.MAX_VALUE;
        int minW = Integer.MAX_VALUE;
        for (int[] size : DeepDream.octaveSizes(height, width, settings)) {
            minH = Math.min(minH, smallestTile(size[0], settings.tile()));
            minW = Math.min(minW, smallestTile(size[1], settings.tile()));
        }
        String tooSmall = input + " (" + width + "x" + height + ") is too small for " + layer + " of " + model.name()
                + " at the smallest octave or tile (" + Math.max(minW, 0) + "x" + Math.max(minH, 0)
                + "); use a larger photo, fewer small octaves (--octaves) or a larger --tile";
        if (minH < 1 || minW < 1) {
            throw new UsageException(tooSmall);
        }
        long[] shape;
        try {
            shape = model.outputShape(vertex, minH, minW);
        } catch (UsageException e) {
            throw new UsageException(tooSmall, e);
        }
        if (shape.length != 3) {
            throw new UsageException(layer + " is not a convolutional layer (its output has no positions); "
                    + "dream needs one: featviz layers --model " + modelOptions.model + " lists them");
        }
        if (shape[1] < 1 || shape[2] < 1) {
            throw new UsageException(tooSmall);
        }
        if (index != null && index >= shape[0]) {
            throw new UsageException("--index " + index + " is out of range: " + layer + " has " + shape[0]
                    + " channels (0-" + (shape[0] - 1) + ")");
        }
    }

    private static int smallestTile(int length, int tile) {
        if (length < 1) {
            return length;
        }
        int[] bounds = DeepDream.tileBounds(length, tile);
        return bounds[1] - bounds[0]; // the first is never larger than the others
    }

    private Map<String, Object> provenance(VisionModel model) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("command", "dream");
        s.put("model", model.name());
        s.put("weights", model.weightsIdentity());
        s.put("preprocess", model.preprocessing().label());
        s.put("layer", layer);
        s.put("objective", index == null ? "deepdream(" + layer + ")" : "channel(" + layer + ", " + index + ")");
        if (index != null) {
            s.put("index", index);
        }
        s.put("octaves", octaves.trim());
        s.put("octave-scale", octaveScale);
        s.put("steps", steps);
        s.put("step-size", stepSize);
        s.put("tile", tile);
        s.put("seed", seed);
        s.put("input", input.getFileName().toString());
        return s;
    }

    /** The options of {@code featviz dream} that make this image again (the input by file name only). */
    private List<String> args(VisionModel model) {
        List<String> a = new ArrayList<>(List.of("--model", modelOptions.model));
        if (ZooModel.find(model.name()) != null) {
            a.addAll(List.of("--weights", model.weightsLabel(), "--weights-seed", String.valueOf(modelOptions.weightsSeed)));
        }
        a.addAll(List.of("--preprocess", model.preprocessing().label(), "--input", input.getFileName().toString(),
                "--layer", layer));
        if (index != null) {
            a.addAll(List.of("--index", String.valueOf(index)));
        }
        a.addAll(List.of("--octaves=" + octaves.trim(), "--octave-scale", String.valueOf(octaveScale),
                "--steps", String.valueOf(steps), "--step-size", String.valueOf(stepSize),
                "--tile", String.valueOf(tile), "--seed", String.valueOf(seed)));
        precision.addTo(a);
        return a;
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
