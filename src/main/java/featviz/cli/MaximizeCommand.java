package featviz.cli;

import featviz.UsageException;
import featviz.analysis.LayerActivations;
import featviz.analysis.RenderQuality;
import featviz.io.AtomicFiles;
import featviz.job.Manifest;
import featviz.io.GifWriter;
import featviz.io.ImageFiles;
import featviz.io.PngWriter;
import featviz.model.ImageNetwork;
import featviz.model.NetworkBuilder;
import featviz.model.VisionModel;
import featviz.model.ZooModel;
import featviz.objective.ChannelPerImageObjective;
import featviz.objective.LayerResolver;
import featviz.objective.Objective;
import featviz.objective.ObjectiveParser;
import featviz.objective.Objectives;
import featviz.render.ChannelSelection;
import featviz.render.RenderResult;
import featviz.job.LayerJob;
import featviz.render.Renderer;
import featviz.render.Shard;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code featviz maximize}: render the images that maximally activate channels of a layer, or any objective. */
@Command(name = "maximize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Render what a unit responds to: gradient ascent on an image, written as a PNG.",
            "",
            "Runs gradient ascent on an input image until channel --index of --layer (its mean activation",
            "over all positions), or an --objective, is maximal, and writes the image as a PNG.",
            "With several channels (--index 0-63, all) it renders --batch channels per pass into a",
            "directory, with a manifest.json; rerunning the same command resumes where it stopped.",
            "",
            "Examples:",
            "  featviz maximize --layer block5_conv4 --index 4",
            "  featviz maximize --model resnet50 --layer res4a_branch2a --index 7 --steps 256",
            "  featviz maximize --layer block3_conv1 --index 0 --preset tutorial",
            "  featviz maximize --objective \"block4_conv1:47 - 0.5*block4_conv1:12 + 0.05*tv\"",
            "  featviz maximize --objective \"class(predictions:130)\" --thresholds 64,256,512 --animate run.gif",
            "  featviz maximize --objective \"class(sea_cucumber)\" --weights random --steps 64",
            "  featviz maximize --layer block5_conv4 --index all --batch 8 --output renders/ --shard 2/4",
            "  featviz maximize --like vgg19_block5_conv4_4.png --output again.png",
            "",
            "Exit codes: 0 done, 1 failure while running, 2 bad usage or input, 130 interrupted (Ctrl-C:",
            "the batch in flight is finished and written first).",
            "",
            "Options:"})
public final class MaximizeCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--layer", paramLabel = "NAME",
            description = "Layer to visualise, by the names `featviz layers` prints (Keras names for the " +
                "zoo models, e.g. block5_conv4, res4a_branch2a, fc1000). Default: the model's default " +
                "layer (vgg19: block5_conv4, resnet50: res4a_branch2a).")
    String layer;

    @Option(names = "--index", paramLabel = "SPEC", defaultValue = "0",
            description = "Channel(s) to maximise (units, for dense layers), from 0: 4, a list 4,9,17, a range " +
                "0-63, a mix 0-3,10, or all. Default: ${DEFAULT-VALUE}.")
    String index;

    @Option(names = "--objective", paramLabel = "EXPR",
            description = "Instead of --layer/--index: an expression of objectives combined with +, -, and " +
                "scalar *: LAYER:N (channel), neuron(LAYER:N[,x,y]), direction(LAYER,[v1,v2,...]) or " +
                "direction(LAYER,@file.txt), cosine(...) (the same, cosine similarity), deepdream(LAYER), " +
                "class(LAYER:N) (the score before the softmax; for models with labels also class(NAME) on the " +
                "output layer, e.g. class(sea_cucumber), or class(LAYER:NAME): case, spaces, _ - / do not " +
                "count), diversity(LAYER) (across --batch images), " +
                "and the image penalties tv, l1, l2 (negative, so add them: + 0.05*tv smooths). " +
                "E.g. \"block4_conv1:47 - 0.5*block4_conv1:12 + 0.05*tv\".")
    String objective;

    @Option(names = "--negative", description = "Minimise the objective instead (what the unit responds to least).")
    boolean negative;

    @Mixin
    RenderOptions render;

    @Mixin
    RedirectOption redirect;

    @Mixin
    TransparencyOptions transparency;

    @Mixin
    PrecisionOption precision;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1",
            description = "Images per forward and backward pass: with several channels, one channel each; " +
                "with --objective, N images of it (from different seeds; see diversity). Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--shard", paramLabel = "K/N",
            description = "Render only part K of N of the channels (a deterministic, disjoint round-robin " +
                "split), e.g. one part per job of a CI matrix, Kubernetes Indexed Job or Slurm array.")
    String shard;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE|DIR",
            description = "One image: the PNG to write (default <model>_<layer>_<index>.png). Several " +
                "channels, or a directory: DIR/<model>/<layer>/<channel>.png plus DIR/manifest.json " +
                "(default: the current directory). Files are written atomically.")
    Path output;

    @Option(names = "--thresholds", paramLabel = "N,N,...", split = ",",
            description = "Also write the image at these steps, as <output>_<step>.png (one image only).")
    List<Integer> thresholds;

    @Option(names = "--animate", paramLabel = "FILE.gif",
            description = "Write a looping GIF of the optimisation, one frame every --animate-every steps (one image only).")
    Path animate;

    @Option(names = "--animate-every", paramLabel = "K",
            description = "Steps between animation frames. Default: steps/64, at least 1.")
    Integer animateEvery;

    @Option(names = "--like", paramLabel = "FILE.png",
            description = "Render again with the settings recorded in a PNG featviz wrote (options given " +
                "here override them); says so when the weights are not the ones it was made with.")
    Path like;

    @Option(names = "--json", description = "One image: one JSON object on stdout when done (output, objective at the " +
        "first and last step, steps, seconds per step). Several: one JSON line per finished channel.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
    boolean quiet;

    @Mixin
    QualityOptions quality;

    @Mixin
    DebugOption debugOption;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private PrintWriter err;
    /** The real images' reference for quality scores (--examples), or null. */
    private RenderQuality reference;

    @Override
    public Integer call() {
        err = spec.commandLine().getErr();
        render.validate();
        precision.validate();
        if (batch < 1 || batch > 256) {
            throw new UsageException("--batch must be between 1 and 256, not " + batch);
        }
        if (objective != null && (layer != null || !index.equals("0"))) {
            throw new UsageException("--objective replaces --layer and --index; give one or the other");
        }
        Shard part = shard == null ? Shard.ALL : Shard.parse(shard);
        redirect.steps(render.preset());
        boolean directoryLike = shard != null || objective == null && !index.matches("\\d+")
                || (output != null && (Files.isDirectory(output) || output.toString().endsWith("/")));
        transparency.validateOutput(output, directoryLike);

        VisionModel model = modelOptions.load(DownloadProgress.forTerminal(err, quiet));
        render.forModel(model);
        transparency.validateModel(render.channels());
        int px = ImageSize.forRender(render.size, model);
        INDArray startImage = render.startImage(px);
        if (like != null) {
            noteWeights(model);
        }
        if (objective != null) {
            return renderObjective(model, px, startImage);
        }
        String layerName = layer != null ? layer : defaultLayer(model);
        String vertex = model.resolve(layerName);
        long channels = model.outputShape(vertex, px, px)[0];
        List<Long> selected = ChannelSelection.parse(index, channels, layerName);
        List<Long> mine = part.select(selected);
        boolean directoryMode = selected.size() > 1 || shard != null
                || (output != null && (Files.isDirectory(output) || output.toString().endsWith("/")));
        if (directoryMode && (thresholds != null || animate != null)) {
            throw new UsageException("--thresholds and --animate are for one image; render channels one at a time");
        }
        if (quality.enabled()) {
            reference = quality.measure(model, RenderQuality.channels(new LayerActivations(model, layerName, px), mine),
                    mine.size(), px, err, quiet);
        }
        ImageNetwork network = model.network(List.of(vertex), DataType.FLOAT, px, px);
        precision.applyTo(network);
        Map<String, Object> settings = settings(model, px);
        settings.put("layer", layerName);
        settings.put("objective", negative ? "-channel" : "channel");
        if (directoryMode) {
            Path dir = output != null ? output : Path.of(".");
            if (batch > 1 && !quiet) {
                // Measured: oneDNN's convolutions round differently for different batch sizes.
                err.println("featviz: note: with --batch " + batch + " a channel's image can differ from --batch 1 by a"
                        + " few levels per pixel (the CPU backend's convolutions round differently per batch size);"
                        + " rerun with the same --batch and --shard to get the same bytes");
                err.flush();
            }
            settings.put("batch", batch);
            return new LayerJob(model.name(), layerName, dir, batch).output(transparency.output())
                    .withScorer(reference == null ? null
                            : (c, png) -> quality.score(reference, png, mine.indexOf(c), mine.indexOf(c)))
                    .run(mine, selected.size(), shard, settings,
                            chans -> renderer(network, channelObjective(vertex, layerName, chans), chans, px, startImage),
                            render.steps(), c -> Provenance.chunks(perChannel(settings, layerName, c), args(model, layerName, c)),
                            new LayerJobReporter(model.name(), layerName, json, quiet, err, spec.commandLine().getOut()));
        }
        long channel = mine.get(0);
        Path out = output != null ? output : Path.of(String.format(Locale.ROOT, "%s_%s_%d.png", model.name(),
                LayerJob.fileSafe(layerName), channel));
        AtomicFiles.requireWritableDirectory(out); // before hours of work, not after
        Renderer r = renderer(network, channelObjective(vertex, layerName, List.of(channel)), List.of(channel), px, startImage);
        return renderOne(r, out, Provenance.chunks(perChannel(settings, layerName, channel), args(model, layerName, channel)),
                model, layerName, channel);
    }

    private int renderObjective(VisionModel model, int px, INDArray startImage) {
        LayerResolver resolver = new LayerResolver() {
            @Override
            public String vertex(String userLayerName) {
                return model.resolve(userLayerName);
            }

            @Override
            public long channels(String vertex) {
                return model.outputShape(vertex, px, px)[0];
            }

            @Override
            public String logits(String vertex) {
                return NetworkBuilder.hasLogits(model.spec(px, px).vertex(vertex)) ? vertex + NetworkBuilder.LOGITS : vertex;
            }

            @Override
            public List<String> labels() {
                return model.labels().names();
            }

            @Override
            public int classIndex(String label) {
                return model.labels().indexOf(label);
            }

            @Override
            public String outputLayer() {
                String vertex = model.outputLayer(px, px);
                if (vertex == null) {
                    throw new UsageException(model.name() + " has no output layer of classes (a dense layer that nothing"
                            + " reads); write class(LAYER:INDEX)");
                }
                return model.displayName(vertex);
            }
        };
        Objective parsed = ObjectiveParser.parse(objective, resolver);
        Objective goal = negative ? Objectives.negate(parsed) : parsed;
        ImageNetwork network = model.network(new TreeSet<>(goal.layers()), DataType.FLOAT, px, px);
        precision.applyTo(network);
        Path out = output != null ? output : Path.of(model.name() + "_objective.png");
        AtomicFiles.requireWritableDirectory(out);
        if (quality.enabled()) {
            reference = quality.measure(model, RenderQuality.objective(model, goal, px), 1, px, err, quiet);
        }
        List<Long> images = new ArrayList<>();
        for (long b = 0; b < batch; b++) {
            images.add(b);
        }
        Map<String, Object> settings = settings(model, px);
        settings.put("objective", goal.describe());
        List<String> args = args(model, null, -1);
        Renderer r = renderer(network, goal, images, px, startImage);
        return renderOne(r, out, Provenance.chunks(settings, args), model, objective, -1);
    }

    private Objective channelObjective(String vertex, String layerName, List<Long> chans) {
        Objective o = new ChannelPerImageObjective(vertex, layerName, chans);
        return negative ? Objectives.negate(o) : o;
    }

    private Renderer renderer(ImageNetwork network, Objective goal, List<Long> images, int px, INDArray startImage) {
        return new Renderer(network, goal, render.param(images, px, startImage), render.optimizers().get(),
                render.transformsFor(network, px), render.seed)
                .redirectRelu(redirect.steps(render.preset()))
                .transparency(transparency.output().needsTransparency());
    }

    /** One picture (or, with --objective and --batch N, N of them: out_0.png ...), with snapshots and animation. */
    private int renderOne(Renderer renderer, Path out, Map<String, String> provenance, VisionModel model, String what,
                          long channel) {
        int steps = render.steps();
        TreeSet<Integer> at = new TreeSet<>(thresholds == null ? List.of() : thresholds);
        for (int t : at) {
            if (t < 1 || t > steps) {
                throw new UsageException("--thresholds " + t + " is outside 1-" + steps + " (--steps)");
            }
        }
        int every = animateEvery != null ? animateEvery : Math.max(1, steps / 64);
        if (every < 1) {
            throw new UsageException("--animate-every must be at least 1");
        }
        List<BufferedImage> frames = new ArrayList<>();
        if (animate != null) {
            AtomicFiles.requireWritableDirectory(animate);
        }
        renderer.snapshots(step -> at.contains(step) || (animate != null && (step % every == 0 || step == 1)),
                (step, image) -> {
                    if (at.contains(step)) {
                        writeImages(image, withSuffix(out, "_" + step), provenance);
                    }
                    if (animate != null && (step % every == 0 || step == 1)) {
                        frames.add(ImageFiles.toRgbImage(image));
                    }
                });
        RenderResult result = renderer.run(steps, ProgressBar.create(err, quiet, model.name() + " " + what
                + (channel >= 0 ? ":" + channel : "")));
        List<Path> heatMaps = writeImages(result, out, provenance);
        if (animate != null) {
            GifWriter.write(frames, animate, 80);
        }
        // Scored from the written files, as a user gets them (8-bit pixels, no transforms).
        List<Manifest.Quality> scores = new ArrayList<>();
        long n = result.image().size(0);
        for (int b = 0; reference != null && b < n; b++) {
            scores.add(quality.score(reference, n == 1 ? out : withSuffix(out, "_" + b), 0, 0));
        }
        if (json) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("output", out.toString());
            summary.put("model", model.name());
            summary.put("weights", model.weightsLabel());
            summary.put(channel >= 0 ? "layer" : "objective", what);
            if (channel >= 0) {
                summary.put("index", channel);
            }
            summary.put("objective_first", result.firstObjective()[0]);
            summary.put("objective_last", result.lastObjective()[0]);
            summary.put("steps", steps);
            summary.put("seconds_per_step", result.secondsPerStep());
            if (scores.size() == 1) {
                summary.put("quality", scores.get(0).toMap());
            } else if (!scores.isEmpty()) {
                summary.put("quality", scores.stream().map(Manifest.Quality::toMap).toList());
            }
            List<Integer> flat = new ArrayList<>();
            for (int b = 0; b < result.firstObjective().length; b++) {
                if (result.flat(b)) {
                    flat.add(b);
                }
            }
            if (flat.contains(0)) {
                summary.put("flat", true); // the objective never rose: the picture shows nothing of the unit
            }
            if (result.firstObjective().length > 1 && !flat.isEmpty()) {
                summary.put("flat_images", flat); // with --batch N: which of out_0.png ... stayed flat
            }
            if (!heatMaps.isEmpty()) {
                summary.put("transparency", heatMaps.get(0).toString());
            }
            spec.commandLine().getOut().println(Json.write(summary));
            spec.commandLine().getOut().flush();
        } else if (!quiet) {
            err.println("wrote " + out);
            for (int b = 0; b < scores.size(); b++) {
                err.println("quality" + (scores.size() == 1 ? "" : " of image " + b) + ": " + QualityOptions.describe(scores.get(b)));
            }
            err.flush();
        }
        return 0;
    }

    /**
     * The final images as {@link #writeImages(INDArray, Path, Map)} names them, with the transparency as alpha
     * or heat maps as asked; returns the heat maps written.
     */
    private List<Path> writeImages(RenderResult result, Path out, Map<String, String> provenance) {
        long n = result.image().size(0);
        Path heat = transparency.heatMapFile();
        List<Path> heatMaps = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            Path written = transparency.output().write(result, b, n == 1 ? out : withSuffix(out, "_" + b),
                    heat == null || n == 1 ? heat : withSuffix(heat, "_" + b), provenance);
            if (written != null) {
                heatMaps.add(written);
            }
        }
        return heatMaps;
    }

    /** One image to {@code out}; a batch of N to out_0.png ... out_{N-1}.png. */
    private static void writeImages(INDArray images, Path out, Map<String, String> provenance) {
        long n = images.size(0);
        for (int b = 0; b < n; b++) {
            INDArray one = images.get(NDArrayIndex.point(b)).reshape(1, images.size(1), images.size(2), images.size(3));
            PngWriter.write(ImageFiles.toImage(one), n == 1 ? out : withSuffix(out, "_" + b), provenance);
        }
    }

    static Path withSuffix(Path file, String suffix) {
        String name = file.getFileName().toString();
        int dot = name.toLowerCase(Locale.ROOT).endsWith(".png") ? name.length() - 4 : name.length();
        return file.resolveSibling(name.substring(0, dot) + suffix + ".png");
    }

    /** Everything that decides the pixels, but the objective: for provenance and for resuming. */
    private Map<String, Object> settings(VisionModel model, int px) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("featviz", Version.get());
        s.put("model", model.name());
        s.put("weights", model.weightsIdentity());
        s.put("preprocess", model.preprocessing().label());
        s.putAll(render.settings());
        s.put("redirect_relu", redirect.steps(render.preset()));
        if (transparency.alpha) {
            s.put("alpha", true);
        }
        if (transparency.output().heatMap()) {
            s.put("transparency", true);
        }
        s.put("size", px);
        s.put("backend", Nd4j.getBackend().getClass().getSimpleName());
        precision.addTo(s);
        return s;
    }

    private Map<String, Object> perChannel(Map<String, Object> settings, String layerName, long channel) {
        Map<String, Object> s = new LinkedHashMap<>(settings);
        s.remove("featviz");
        s.put("objective", (negative ? "-" : "") + "channel(" + layerName + ", " + channel + ")");
        s.put("index", channel);
        return s;
    }

    /** The options that render this image again, with every default resolved (for --like). */
    private List<String> args(VisionModel model, String layerName, long channel) {
        List<String> a = new ArrayList<>(List.of("--model", modelOptions.model));
        if (ZooModel.find(model.name()) != null) {
            a.addAll(List.of("--weights", model.weightsLabel(), "--weights-seed", String.valueOf(modelOptions.weightsSeed)));
        }
        a.addAll(List.of("--preprocess", model.preprocessing().label()));
        if (objective != null) {
            a.addAll(List.of("--objective", objective, "--batch", String.valueOf(batch)));
        } else {
            a.addAll(List.of("--layer", layerName, "--index", String.valueOf(channel)));
        }
        if (negative) {
            a.add("--negative");
        }
        a.addAll(List.of("--preset", render.preset().label(), "--param", render.paramKind(),
                render.decorrelate() ? "--decorrelate" : "--no-decorrelate", "--transforms", render.transformSpec(),
                "--optimizer", render.optimizerName(), "--step-size", String.valueOf(render.stepSize()),
                "--steps", String.valueOf(render.steps()), "--seed", String.valueOf(render.seed),
                "--start", render.start, "--size", String.valueOf(ImageSize.forRender(render.size, model)),
                "--redirect-relu", String.valueOf(redirect.steps(render.preset()))));
        precision.addTo(a);
        if (render.spectrumFrom != null) {
            a.addAll(List.of("--spectrum-from", render.spectrumFrom.toString()));
        }
        return a;
    }

    private void noteWeights(VisionModel model) {
        String recorded = PngWriter.readText(like).get(Provenance.WEIGHTS);
        if (recorded != null && !recorded.equals(model.weightsIdentity())) {
            err.println("featviz: note: " + like + " was rendered with weights '" + recorded + "'; these are '"
                    + model.weightsIdentity() + "', so the image will differ");
            err.flush();
        }
    }

    private static String defaultLayer(VisionModel model) {
        if (model.defaultLayer() == null) {
            throw new UsageException("--layer is required for file models; featviz layers --model PATH lists them");
        }
        return model.defaultLayer();
    }
}
