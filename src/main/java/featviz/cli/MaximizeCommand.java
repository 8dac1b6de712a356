package featviz.cli;

import featviz.UsageException;
import featviz.io.AtomicFiles;
import featviz.io.ImageFiles;
import featviz.io.PngWriter;
import featviz.model.ImageNetwork;
import featviz.model.VisionModel;
import featviz.objective.ChannelObjective;
import featviz.optim.Adam;
import featviz.optim.NormalizedAscent;
import featviz.optim.Optimizer;
import featviz.param.PixelParam;
import featviz.render.RenderResult;
import featviz.render.Renderer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code featviz maximize}: render the image that maximally activates one channel of one layer. */
@Command(name = "maximize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run gradient ascent on an input image until channel --index of --layer is maximally",
            "active (its mean activation over all positions), and write the image as a PNG.",
            "",
            "Examples:",
            "  featviz maximize --layer block5_conv4 --index 4",
            "  featviz maximize --model resnet50 --layer res4a_branch2a --index 7 --steps 256",
            "  featviz maximize --layer block3_conv1 --index 0 --optimizer normalized --step-size 0.05",
            "  featviz maximize --model my-net.zip --layer conv2 --index 3 --size 64 --json",
            "",
            "Options:"})
public final class MaximizeCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--layer", paramLabel = "NAME",
            description = {"Layer to visualise, by the names `featviz layers` prints (Keras names for the",
                "zoo models, e.g. block5_conv4, res4a_branch2a, fc1000). Default: the model's default",
                "layer (vgg19: block5_conv4, resnet50: res4a_branch2a)."})
    String layer;

    @Option(names = "--index", paramLabel = "N", defaultValue = "0",
            description = "Channel (or unit, for dense layers) to maximise, from 0. Default: ${DEFAULT-VALUE}.")
    long index;

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
            description = "Seed of the start noise; same seed, same options: same image. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--start", paramLabel = "noise|gray|PATH", defaultValue = "noise",
            description = {"Start image: seeded uniform noise around mid-grey (0.5 +- 0.1), plain mid-grey, or an",
                "image file (JPEG incl. CMYK, PNG, TIFF, BMP, WebP, PSD), resized to --size. Default: ${DEFAULT-VALUE}."})
    String start;

    @Option(names = "--size", paramLabel = "PX",
            description = "Width and height of the image. Default: the model's input size (224 for the zoo).")
    Integer size;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = {"PNG to write (atomically: nothing is left behind on failure).",
                "Default: <model>_<layer>_<index>.png in the current directory."})
    Path output;

    @Option(names = "--json", description = {"Print one JSON object on stdout when done: output, model, layer, index,",
        "objective at the first and last step, steps, seconds per step."})
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
    boolean quiet;

    @Option(names = "--debug", description = "Print stack traces on errors.")
    boolean debug;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        validateNumbers();
        Optimizer opt = optimizer();
        String startKind = start.toLowerCase(Locale.ROOT);
        Path startFile = startKind.equals("noise") || startKind.equals("gray") || startKind.equals("grey")
                ? null : Path.of(start);
        if (startFile != null && !Files.isRegularFile(startFile)) {
            throw new UsageException("cannot read start image " + start + ": no such file (or use noise or gray)");
        }

        VisionModel model = modelOptions.load(DownloadProgress.forTerminal(err, quiet));
        String layerName = layer != null ? layer : defaultLayer(model);
        String vertex = model.resolve(layerName);
        int px = size != null ? size : model.inputShape()[1];
        long[] shape = model.outputShape(vertex, px, px);
        if (index < 0 || index >= shape[0]) {
            throw new UsageException("--index " + index + " is out of range: " + layerName + " has " + shape[0]
                    + " channels (0-" + (shape[0] - 1) + ")");
        }
        Path out = output != null ? output
                : Path.of(String.format(Locale.ROOT, "%s_%s_%d.png", model.name(), layerName.replaceAll("[^A-Za-z0-9._-]", "_"), index));
        AtomicFiles.requireWritableDirectory(out); // fail before hours of work, not after

        INDArray startImage = startFile != null ? ImageFiles.read(startFile, px)
                : startKind.equals("noise") ? noise(seed, px) : Nd4j.valueArrayOf(new long[] {1, 3, px, px}, 0.5f);

        ImageNetwork network = model.network(List.of(vertex), DataType.FLOAT, px, px);
        ChannelObjective objective = new ChannelObjective(vertex, layerName, index);
        Renderer renderer = new Renderer(network, objective, new PixelParam(startImage), opt);
        RenderResult result = renderer.run(steps, ProgressBar.create(err, quiet,
                model.name() + " " + layerName + ":" + index));

        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("Software", "featviz " + Version.get());
        provenance.put("featviz:model", model.name());
        provenance.put("featviz:weights", model.weightsIdentity());
        provenance.put("featviz:layer", layerName);
        provenance.put("featviz:objective", objective.describe());
        provenance.put("featviz:param", "pixel");
        provenance.put("featviz:optimizer", opt.describe());
        provenance.put("featviz:steps", String.valueOf(steps));
        provenance.put("featviz:size", String.valueOf(px));
        provenance.put("featviz:start", start);
        provenance.put("featviz:seed", String.valueOf(seed));
        provenance.put("featviz:backend", Nd4j.getBackend().getClass().getSimpleName());
        PngWriter.write(ImageFiles.toImage(result.image()), out, provenance);

        if (json) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("output", out.toString());
            summary.put("model", model.name());
            summary.put("weights", model.weightsLabel());
            summary.put("layer", layerName);
            summary.put("index", index);
            summary.put("objective_first", result.firstObjective()[0]);
            summary.put("objective_last", result.lastObjective()[0]);
            summary.put("steps", steps);
            summary.put("seconds_per_step", result.secondsPerStep());
            spec.commandLine().getOut().println(Json.write(summary));
            spec.commandLine().getOut().flush();
        } else if (!quiet) {
            err.println("wrote " + out);
            err.flush();
        }
        return 0;
    }

    private void validateNumbers() {
        if (steps < 1) {
            throw new UsageException("--steps must be at least 1, not " + steps);
        }
        if (size != null && (size < 8 || size > 4096)) {
            throw new UsageException("--size must be between 8 and 4096 pixels, not " + size);
        }
        if (stepSize != null && !(stepSize > 0 && Double.isFinite(stepSize))) {
            throw new UsageException("--step-size must be a positive number, not " + stepSize);
        }
    }

    private Optimizer optimizer() {
        double lr = stepSize != null ? stepSize : 0.05;
        return switch (optimizer.toLowerCase(Locale.ROOT)) {
            case "adam" -> new Adam(lr);
            case "normalized" -> new NormalizedAscent(lr);
            default -> throw new UsageException("unknown --optimizer '" + optimizer + "': expected adam or normalized");
        };
    }

    private static String defaultLayer(VisionModel model) {
        featviz.model.ZooModel zoo = featviz.model.ZooModel.find(model.name());
        if (zoo == null) {
            throw new UsageException("--layer is required for file models; featviz layers --model PATH lists them");
        }
        return zoo.defaultLayer();
    }

    /** Uniform noise in [0.4, 0.6], drawn in plain Java so it is the same on every backend. */
    static INDArray noise(long seed, int px) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[3 * px * px];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (0.4 + 0.2 * random.nextDouble());
        }
        return Nd4j.create(values, new long[] {1, 3, px, px}, 'c');
    }
}
