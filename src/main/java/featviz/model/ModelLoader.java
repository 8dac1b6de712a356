package featviz.model;

import featviz.RunFailure;
import featviz.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.Function;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;

/**
 * Turns {@code --model} and {@code --weights} into a {@link VisionModel}: a zoo model (VGG19, ResNet50)
 * with ImageNet or seeded random weights, or a DL4J model zip written by ModelSerializer (read by {@link ModelZip}).
 */
public final class ModelLoader {
    public enum Weights { IMAGENET, RANDOM }

    private final WeightStore store;
    private final Consumer<String> warnings;

    public ModelLoader(WeightStore store) {
        this(store, line -> { });
    }

    /** @param warnings one-line notes for the user that are not failures (a checksum that differs, say) */
    public ModelLoader(WeightStore store, Consumer<String> warnings) {
        this.store = store;
        this.warnings = warnings;
    }

    /** What {@code --weights} asked for: the pretrained weights, seeded random ones, or a local copy of the pretrained file. */
    public record WeightsChoice(Weights kind, Path file) {
        public static final WeightsChoice PRETRAINED = new WeightsChoice(Weights.IMAGENET, null);
        public static final WeightsChoice RANDOM = new WeightsChoice(Weights.RANDOM, null);
    }

    /**
     * @param model a zoo name or a path to a ModelSerializer zip
     * @param weights for zoo models; file models carry their own (null = the model's pretrained weights)
     * @param preprocessing overrides the model's preprocessing (null = the model's own, UNIT for files)
     * @param seed seeds random weights
     */
    public VisionModel load(String model, WeightsChoice weights, Preprocessing preprocessing, long seed) {
        ZooModel zoo = ZooModel.find(model);
        if (zoo != null) {
            return loadZoo(zoo, weights == null ? WeightsChoice.PRETRAINED : weights, preprocessing, seed);
        }
        Path path = Path.of(model);
        if (!Files.exists(path)) {
            throw new UsageException("unknown model '" + model + "': expected " + String.join(", ", ZooModel.NAMES)
                    + " or the path of a DL4J model zip");
        }
        if (weights != null && weights.kind() == Weights.RANDOM) {
            throw new UsageException("--weights applies to zoo models only; " + model + " brings its own weights");
        }
        if (weights != null && weights.file() != null) {
            throw new UsageException("--weights " + weights.file() + " applies to zoo models only (a local copy of "
                    + "their pretrained file); " + model + " brings its own weights");
        }
        FileDigest digest = FileDigest.of(path);
        ZooModel known = knownZooFile(digest.adler32());
        if (known != null) {
            // A zoo file under another name: its layers only make sense with the zoo's preprocessing and labels.
            warnings.accept(path + " is the zoo's " + known.name() + " file (Adler32 " + digest.adler32()
                    + "): using " + known.name() + "'s preprocessing and names, as --model " + known.name()
                    + " --weights " + path + " does");
            return pretrained(known, path, preprocessing == null ? known.preprocessing() : preprocessing,
                    identity(known), UsageException::new);
        }
        return loadFile(path, preprocessing == null ? Preprocessing.UNIT : preprocessing, digest)
                .withLabels(Labels.besideFile(path));
    }

    /** The catalogue entry whose pretrained file has this checksum, or null. */
    private static ZooModel knownZooFile(long adler32) {
        return ZooModel.all().stream().filter(z -> z.pretrainedAdler32() == adler32).findFirst().orElse(null);
    }

    private VisionModel loadZoo(ZooModel zoo, WeightsChoice weights, Preprocessing preprocessing, long seed) {
        Preprocessing pre = preprocessing == null ? zoo.preprocessing() : preprocessing;
        if (weights.kind() == Weights.RANDOM) {
            ComputationGraphConfiguration conf = zoo.imagenet() ? zoo.architecture() : embeddedConfiguration(zoo);
            return new VisionModel(zoo.name(), type -> GraphSpec.of(conf, type), new RandomWeights(seed), pre,
                    zoo.inputShape(), Map.of(), "random").withDefaults(zoo);
        }
        if (weights.file() != null) {
            return localCopy(zoo, weights.file(), pre);
        }
        if (!zoo.imagenet()) {
            return pretrained(zoo, EmbeddedModels.file(zoo), pre, identity(zoo), RunFailure::new);
        }
        return pretrained(zoo, store.fetch(zoo.imagenetWeights()), pre, identity(zoo),
                m -> new RunFailure(m + "; delete the file to download it again"));
    }

    /** {@code --weights PATH}: the zoo's pretrained file copied by hand, checked against the catalogue. */
    private VisionModel localCopy(ZooModel zoo, Path file, Preprocessing pre) {
        if (!Files.isRegularFile(file)) {
            throw new UsageException("--weights " + file + ": no such file (expected a local copy of "
                    + (zoo.imagenet() ? zoo.imagenetWeights().fileName() : zoo.name() + "'s weights") + ")");
        }
        long adler32 = FileDigest.adler32Of(file);
        String identity = identity(zoo);
        if (adler32 != zoo.pretrainedAdler32()) {
            warnings.accept("warning: " + file + " has Adler32 " + adler32 + ", not the catalogue's "
                    + zoo.pretrainedAdler32() + " for " + zoo.name() + ": using it with " + zoo.name()
                    + "'s names and preprocessing all the same");
            identity = file.getFileName() + " adler32:" + adler32;
        }
        return pretrained(zoo, file, pre, identity, file.toString(), UsageException::new);
    }

    private static String identity(ZooModel zoo) {
        return zoo.imagenet()
                ? "imagenet " + zoo.imagenetWeights().fileName() + " adler32:" + zoo.imagenetWeights().adler32()
                : "trained " + zoo.embedded().resource() + " adler32:" + zoo.embedded().adler32();
    }

    private static ComputationGraphConfiguration embeddedConfiguration(ZooModel zoo) {
        try {
            return ComputationGraphConfiguration.fromJson(ModelZip.configurationJson(EmbeddedModels.file(zoo)));
        } catch (IOException e) {
            throw new RunFailure("cannot read " + zoo.name() + "'s embedded model: " + firstLine(e));
        }
    }

    /** A zoo model from its pretrained file, whose vertices already carry the Keras names users type. */
    static VisionModel pretrained(ZooModel zoo, Path file, Preprocessing pre) {
        return pretrained(zoo, file, pre, identity(zoo), m -> new RunFailure(m + "; delete the file to download it again"));
    }

    /** @param failure makes the exception for a file that cannot be read (whose fault it is depends on where it came from) */
    private static VisionModel pretrained(ZooModel zoo, Path file, Preprocessing pre, String identity,
                                          Function<String, RuntimeException> failure) {
        return pretrained(zoo, file, pre, identity, zoo.imagenet() ? "imagenet" : "trained", failure);
    }

    /** @param label what {@code --weights} says to load these weights again (provenance, --like) */
    private static VisionModel pretrained(ZooModel zoo, Path file, Preprocessing pre, String identity, String label,
                                          Function<String, RuntimeException> failure) {
        try {
            ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(ModelZip.configurationJson(file));
            ZipWeights weights = new ZipWeights(file, conf, identity);
            weights.verify();
            return new VisionModel(zoo.name(), type -> GraphSpec.of(conf, type), weights, pre, zoo.inputShape(),
                    Map.of(), label).withDefaults(zoo);
        } catch (IOException | RuntimeException e) {
            throw failure.apply("cannot load weights from " + file + ": " + configurationProblem(e));
        }
    }

    private static VisionModel loadFile(Path path, Preprocessing pre, FileDigest digest) {
        String name = path.getFileName().toString().replaceFirst("(?i)\\.zip$", "");
        String identity = path.getFileName() + " sha256:" + digest.sha256().substring(0, 16);
        String json = configurationJson(path);
        try {
            Function<InputType, GraphSpec> structure;
            ZipWeights weights;
            long channels;
            InputPreProcessor inputPreprocessor;
            if (json.contains("\"vertices\"")) {
                ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(json);
                String input = conf.getNetworkInputs().get(0);
                List<GraphVertex> first = conf.getVertices().entrySet().stream()
                        .filter(e -> conf.getVertexInputs().getOrDefault(e.getKey(), List.of()).contains(input))
                        .map(Map.Entry::getValue).toList();
                channels = first.stream()
                        .map(v -> v instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null)
                        .mapToLong(ModelLoader::inputChannels).filter(c -> c > 0).findFirst().orElse(0);
                inputPreprocessor = first.stream()
                        .map(v -> v instanceof LayerVertex lv ? lv.getPreProcessor()
                                : v instanceof PreprocessorVertex pv ? pv.getPreProcessor() : null)
                        .filter(java.util.Objects::nonNull).findFirst().orElse(null);
                weights = new ZipWeights(path, conf, identity);
                structure = type -> GraphSpec.of(conf, type);
            } else {
                MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(json);
                channels = inputChannels(conf.getConf(0).getLayer());
                inputPreprocessor = conf.getInputPreProcess(0);
                weights = new ZipWeights(path, conf, identity);
                structure = type -> GraphSpec.of(conf, type);
            }
            weights.verify();
            if (channels <= 0 && inputPreprocessor instanceof FeedForwardToCnnPreProcessor flat) {
                channels = flat.getNumChannels(); // a flat input declared as maps: no convolution first
            }
            int c = channels > 0 ? (int) channels : 3;
            OptionalInt fixed = InputSize.fixedBy(structure, c, inputPreprocessor);
            int size = fixed.orElse(InputSize.NOMINAL);
            VisionModel model = new VisionModel(name, structure, weights, pre, new int[] {c, size, size}, Map.of(),
                    path.toString());
            return fixed.isPresent() ? model : model.withFreeSize();
        } catch (IOException | RuntimeException e) {
            if (e instanceof UsageException u) {
                throw u;
            }
            throw new UsageException("cannot load model " + path + ": " + configurationProblem(e));
        }
    }

    /**
     * What is wrong with a configuration DL4J could not read. DL4J retries an unreadable configuration as
     * its pre-1.0.0-beta format and reports that attempt's generic failure; the class name Jackson could not
     * resolve, somewhere in the causes, is what tells the user something.
     */
    static String configurationProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.nd4j.shade.jackson.databind.exc.InvalidTypeIdException id) {
                return "configuration.json names " + id.getTypeId()
                        + ", a class that neither DL4J nor featviz knows (a custom layer?)";
            }
        }
        return firstLine(e);
    }

    /**
     * The image channels a layer reading the input expects (DL4J files do not record the input type, so
     * the first convolution's nIn tells), or 0 when it does not say. The size comes from the file when it fixes
     * one ({@link InputSize}), else from the user's {@code --size} or the images (featviz.cli.ImageSize).
     */
    private static long inputChannels(org.deeplearning4j.nn.conf.layers.Layer layer) {
        layer = NetworkBuilder.unwrap(layer); // a frozen first convolution (transfer learning) tells as well
        return layer instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer c ? c.getNIn() : 0;
    }

    /** Reads configuration.json from a ModelSerializer zip, with one-line errors for anything else. */
    private static String configurationJson(Path path) {
        try {
            return ModelZip.configurationJson(path);
        } catch (NoSuchFileException e) {
            throw new UsageException("cannot load model " + path + ": " + e.getReason());
        } catch (IOException e) {
            throw new UsageException("cannot load model " + path + ": not a DL4J model zip (" + firstLine(e) + ")");
        }
    }


    static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).trim();
    }

    /** {@code --weights}: imagenet (or pretrained, trained: a model's own pretrained weights), random, or a file. */
    public static WeightsChoice parseWeights(String s) {
        String key = s.trim().toLowerCase(Locale.ROOT);
        switch (key) {
            case "imagenet", "pretrained", "trained":
                return WeightsChoice.PRETRAINED;
            case "random":
                return WeightsChoice.RANDOM;
            default:
                if (key.isEmpty() || !(s.contains("/") || s.contains(".") || Files.exists(Path.of(s)))) {
                    throw new UsageException("unknown weights '" + s
                            + "': expected imagenet, random or the path of a local copy of the pretrained file");
                }
                return new WeightsChoice(Weights.IMAGENET, Path.of(s));
        }
    }
}
