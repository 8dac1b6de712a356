package featviz.cli;

import featviz.UsageException;
import featviz.gallery.Manifest;
import featviz.io.AtomicFiles;
import featviz.io.ImageFiles;
import featviz.io.PngWriter;
import featviz.model.ImageNetwork;
import featviz.model.VisionModel;
import featviz.model.ZooModel;
import featviz.param.ImageParam;
import featviz.param.PixelParam;
import featviz.render.ChannelBatch;
import featviz.render.ChannelSelection;
import featviz.render.RenderListener;
import featviz.render.RenderResult;
import featviz.render.Shard;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code featviz maximize}: render the images that maximally activate channels of a layer. */
@Command(name = "maximize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run gradient ascent on an input image until channel --index of --layer is maximally",
            "active (its mean activation over all positions), and write the image as a PNG. With several",
            "channels (--index 0-63, all) it renders --batch channels per pass into a directory, with a",
            "manifest.json; rerunning the same command resumes where it stopped.",
            "",
            "Examples:",
            "  featviz maximize --layer block5_conv4 --index 4",
            "  featviz maximize --model resnet50 --layer res4a_branch2a --index 7 --steps 256",
            "  featviz maximize --layer block3_conv1 --index 0 --optimizer normalized --step-size 0.05",
            "  featviz maximize --model my-net.zip --layer conv2 --index 3 --size 64 --json",
            "  featviz maximize --layer block5_conv4 --index all --batch 8 --output renders/ --shard 2/4",
            "",
            "Exit codes: 0 done, 1 failure while running, 2 bad usage or input, 130 interrupted (Ctrl-C:",
            "the batch in flight is finished and written first).",
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

    @Option(names = "--index", paramLabel = "SPEC", defaultValue = "0",
            description = {"Channel(s) to maximise (units, for dense layers), from 0: 4, a list 4,9,17, a range",
                "0-63, a mix 0-3,10, or all. Default: ${DEFAULT-VALUE}."})
    String index;

    @Mixin
    RenderOptions render;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1",
            description = {"Channels rendered together, one image each, per forward and backward pass.",
                "Default: ${DEFAULT-VALUE}."})
    int batch;

    @Option(names = "--shard", paramLabel = "K/N",
            description = {"Render only part K of N of the channels (a deterministic, disjoint round-robin",
                "split), e.g. one part per job of a CI matrix, Kubernetes Indexed Job or Slurm array."})
    String shard;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE|DIR",
            description = {"One channel: the PNG to write (default <model>_<layer>_<index>.png). Several",
                "channels, or a directory: DIR/<model>/<layer>/<channel>.png plus DIR/manifest.json",
                "(default: the current directory). Files are written atomically."})
    Path output;

    @Option(names = "--json", description = {"One channel: one JSON object on stdout when done (output, objective at the",
        "first and last step, steps, seconds per step). Several: one JSON line per finished channel."})
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
    boolean quiet;

    @Option(names = "--debug", description = "Print stack traces on errors.")
    boolean debug;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private PrintWriter err;

    @Override
    public Integer call() {
        err = spec.commandLine().getErr();
        render.validate();
        if (batch < 1 || batch > 256) {
            throw new UsageException("--batch must be between 1 and 256, not " + batch);
        }
        Shard part = shard == null ? Shard.ALL : Shard.parse(shard);
        Path startFile = render.startsFromFile() ? Path.of(render.start) : null;
        if (startFile != null && !Files.isRegularFile(startFile)) {
            throw new UsageException("cannot read start image " + render.start + ": no such file (or use noise or gray)");
        }

        VisionModel model = modelOptions.load(DownloadProgress.forTerminal(err, quiet));
        String layerName = layer != null ? layer : defaultLayer(model);
        String vertex = model.resolve(layerName);
        int px = render.size != null ? render.size : model.inputShape()[1];
        long channels = model.outputShape(vertex, px, px)[0];
        List<Long> selected = ChannelSelection.parse(index, channels, layerName);
        List<Long> mine = part.select(selected);
        boolean directoryMode = selected.size() > 1 || shard != null
                || (output != null && (Files.isDirectory(output) || output.toString().endsWith("/")));
        Path out = output != null ? output : directoryMode ? Path.of(".")
                : Path.of(String.format(Locale.ROOT, "%s_%s_%d.png", model.name(), fileSafe(layerName), selected.get(0)));
        if (directoryMode) {
            createDirectories(out);
            AtomicFiles.requireWritableDirectory(out.resolve(Manifest.FILE_NAME)); // before hours of work
        } else {
            AtomicFiles.requireWritableDirectory(out);
        }
        INDArray startImage = startFile != null ? ImageFiles.read(startFile, px) : null;

        ImageNetwork network = model.network(List.of(vertex), DataType.FLOAT, px, px);
        ChannelBatch batches = new ChannelBatch(network, vertex, layerName,
                chans -> startParam(chans, px, startImage), render.optimizers(), List.of(), render.seed);
        Map<String, Object> settings = settings(model, layerName, px);
        return directoryMode
                ? renderDirectory(model, layerName, mine, selected.size(), batches, settings, out)
                : renderFile(model, layerName, mine.get(0), batches, settings, out);
    }

    private int renderFile(VisionModel model, String layerName, long channel, ChannelBatch batches,
                           Map<String, Object> settings, Path out) {
        RenderResult result = batches.render(List.of(channel), render.steps,
                ProgressBar.create(err, quiet, model.name() + " " + layerName + ":" + channel));
        PngWriter.write(ImageFiles.toImage(result.image()), out, provenance(settings, channel));
        if (json) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("output", out.toString());
            summary.put("model", model.name());
            summary.put("weights", model.weightsLabel());
            summary.put("layer", layerName);
            summary.put("index", channel);
            summary.put("objective_first", result.firstObjective()[0]);
            summary.put("objective_last", result.lastObjective()[0]);
            summary.put("steps", render.steps);
            summary.put("seconds_per_step", result.secondsPerStep());
            printJson(summary);
        } else if (!quiet) {
            err.println("wrote " + out);
            err.flush();
        }
        return 0;
    }

    private int renderDirectory(VisionModel model, String layerName, List<Long> mine, int selectedCount,
                                ChannelBatch batches, Map<String, Object> settings, Path dir) {
        AtomicFiles.removeLeftovers(dir, 3);
        Manifest manifest = Manifest.load(dir);
        String settingsId = manifest.addSettings(settings);
        List<Long> todo = new ArrayList<>();
        for (long c : mine) {
            var done = manifest.get(new Manifest.Key(model.name(), layerName, (int) c, settingsId));
            if (done.isEmpty() || !Files.isRegularFile(done.get().path(dir))) {
                todo.add(c);
            }
        }
        if (!quiet) {
            err.println(String.format(Locale.ROOT, "%s %s: %d of %d channels in this %s, %d already done, %d to render",
                    model.name(), layerName, mine.size(), selectedCount, shard == null ? "run" : "shard " + shard,
                    mine.size() - todo.size(), todo.size()));
            err.flush();
        }
        Interrupts interrupts = Interrupts.install(err);
        RenderListener progress = ProgressBar.create(err, quiet, model.name() + " " + layerName + " channels");
        int done = 0;
        for (int from = 0; from < todo.size(); from += batch) {
            if (interrupts.requested()) {
                err.println("featviz: stopped after " + done + " of " + todo.size()
                        + " channels; run the same command again to resume");
                err.flush();
                return Interrupts.EXIT_INTERRUPTED;
            }
            List<Long> chans = todo.subList(from, Math.min(todo.size(), from + batch));
            long t0 = System.nanoTime();
            RenderResult result = batches.render(chans, render.steps, RenderListener.NONE);
            double seconds = (System.nanoTime() - t0) / 1e9 / chans.size();
            for (int b = 0; b < chans.size(); b++) {
                long c = chans.get(b);
                String file = model.name() + "/" + fileSafe(layerName) + "/" + String.format(Locale.ROOT, "%04d.png", c);
                Path target = dir.resolve(file);
                createDirectories(target.getParent());
                INDArray image = result.image().get(NDArrayIndex.point(b)).reshape(1, 3, result.image().size(2), result.image().size(3));
                PngWriter.write(ImageFiles.toImage(image), target, provenance(settings, c));
                manifest.add(new Manifest.Render(model.name(), layerName, (int) c, file, result.lastObjective()[b],
                        seconds, settingsId));
                if (json) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("channel", c);
                    line.put("file", target.toString());
                    line.put("objective", result.lastObjective()[b]);
                    line.put("seconds", seconds);
                    printJson(line);
                }
            }
            // The manifest follows every batch, so a run killed at any moment resumes where it was.
            manifest.write(dir);
            done += chans.size();
            progress.stepDone(done, todo.size(), result.lastObjective()[chans.size() - 1]);
        }
        manifest.write(dir);
        if (!quiet) {
            err.println("rendered " + done + " channels into " + dir.resolve(Manifest.FILE_NAME).getParent());
            err.flush();
        }
        return 0;
    }

    /** Everything that decides the pixels of a channel's image, for provenance and for resuming. */
    private Map<String, Object> settings(VisionModel model, String layerName, int px) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("featviz", Version.get());
        s.put("model", model.name());
        s.put("weights", model.weightsIdentity());
        s.put("preprocess", model.preprocessing().label());
        s.put("layer", layerName);
        s.put("objective", "channel");
        s.put("param", "pixel");
        s.put("transforms", "none");
        s.put("optimizer", render.optimizers().get().describe());
        s.put("steps", render.steps);
        s.put("size", px);
        s.put("start", render.start);
        s.put("seed", render.seed);
        s.put("backend", Nd4j.getBackend().getClass().getSimpleName());
        return s;
    }

    private static Map<String, String> provenance(Map<String, Object> settings, long channel) {
        Map<String, String> text = new LinkedHashMap<>();
        text.put("Software", "featviz " + settings.get("featviz"));
        settings.forEach((k, v) -> {
            if (!k.equals("featviz")) {
                text.put("featviz:" + k, String.valueOf(v));
            }
        });
        text.put("featviz:index", String.valueOf(channel));
        if ("channel".equals(settings.get("objective"))) {
            text.put("featviz:objective", "channel(" + settings.get("layer") + ", " + channel + ")");
        }
        return text;
    }

    private ImageParam startParam(List<Long> chans, int px, INDArray startImage) {
        INDArray images = Nd4j.create(DataType.FLOAT, chans.size(), 3, px, px);
        for (int b = 0; b < chans.size(); b++) {
            INDArray one = startImage != null ? startImage
                    : render.start.equalsIgnoreCase("noise") ? noise(channelSeed(render.seed, chans.get(b)), px)
                    : Nd4j.valueArrayOf(new long[] {1, 3, px, px}, 0.5f);
            images.get(NDArrayIndex.point(b)).assign(one.reshape(3, px, px));
        }
        return new PixelParam(images);
    }

    /** Each channel's start noise has its own seed, so its image does not depend on the batch it is in. */
    static long channelSeed(long seed, long channel) {
        return seed * 0x9E3779B97F4A7C15L + channel;
    }

    private void printJson(Map<String, Object> value) {
        spec.commandLine().getOut().println(Json.write(value));
        spec.commandLine().getOut().flush();
    }

    private static String fileSafe(String layerName) {
        return layerName.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new UsageException("cannot create directory " + dir + ": " + e.getMessage());
        }
    }

    private static String defaultLayer(VisionModel model) {
        ZooModel zoo = ZooModel.find(model.name());
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
