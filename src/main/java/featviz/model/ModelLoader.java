package featviz.model;

import featviz.RunFailure;
import featviz.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;

/**
 * Turns {@code --model} and {@code --weights} into a {@link VisionModel}: a zoo model (VGG19, ResNet50)
 * with ImageNet or seeded random weights, or a DL4J model zip written by ModelSerializer (read by {@link ModelZip}).
 */
public final class ModelLoader {
    public enum Weights { IMAGENET, RANDOM }

    private final WeightStore store;

    public ModelLoader(WeightStore store) {
        this.store = store;
    }

    /**
     * @param model a zoo name or a path to a ModelSerializer zip
     * @param weights for zoo models; file models carry their own (null = the default for the model)
     * @param preprocessing overrides the model's preprocessing (null = the model's own, UNIT for files)
     * @param seed seeds random weights
     */
    public VisionModel load(String model, Weights weights, Preprocessing preprocessing, long seed) {
        ZooModel zoo = ZooModel.find(model);
        if (zoo != null) {
            return loadZoo(zoo, weights == null ? Weights.IMAGENET : weights, preprocessing, seed);
        }
        Path path = Path.of(model);
        if (!Files.exists(path)) {
            throw new UsageException("unknown model '" + model + "': expected " + String.join(", ", ZooModel.NAMES)
                    + " or the path of a DL4J model zip");
        }
        if (weights == Weights.RANDOM) {
            throw new UsageException("--weights applies to zoo models only; " + model + " brings its own weights");
        }
        return loadFile(path, preprocessing == null ? Preprocessing.UNIT : preprocessing);
    }

    private VisionModel loadZoo(ZooModel zoo, Weights weights, Preprocessing preprocessing, long seed) {
        Preprocessing pre = preprocessing == null ? zoo.preprocessing() : preprocessing;
        if (weights == Weights.RANDOM) {
            ComputationGraphConfiguration conf = zoo.architecture();
            return new VisionModel(zoo.name(), type -> GraphSpec.of(conf, type), new RandomWeights(seed), pre,
                    zoo.inputShape(), Map.of(), "random");
        }
        return pretrained(zoo, store.fetch(zoo.imagenetWeights()), pre);
    }

    /** A zoo model from its pretrained file, whose vertices already carry the Keras names users type. */
    static VisionModel pretrained(ZooModel zoo, Path file, Preprocessing pre) {
        String identity = "imagenet " + zoo.imagenetWeights().fileName() + " adler32:" + zoo.imagenetWeights().adler32();
        try {
            ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(ModelZip.configurationJson(file));
            ZipWeights weights = new ZipWeights(file, conf, identity);
            weights.verify();
            return new VisionModel(zoo.name(), type -> GraphSpec.of(conf, type), weights, pre, zoo.inputShape(),
                    Map.of(), "imagenet");
        } catch (IOException | RuntimeException e) {
            throw new RunFailure("cannot load weights from " + file + ": " + firstLine(e)
                    + "; delete the file to download it again");
        }
    }

    private static VisionModel loadFile(Path path, Preprocessing pre) {
        String name = path.getFileName().toString().replaceFirst("(?i)\\.zip$", "");
        String identity = path.getFileName() + " sha256:" + sha256(path).substring(0, 16);
        String json = configurationJson(path);
        try {
            if (json.contains("\"vertices\"")) {
                ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(json);
                String input = conf.getNetworkInputs().get(0);
                long channels = conf.getVertices().entrySet().stream()
                        .filter(e -> conf.getVertexInputs().getOrDefault(e.getKey(), java.util.List.of()).contains(input))
                        .map(e -> e.getValue() instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
                                ? lv.getLayerConf().getLayer() : null)
                        .mapToLong(ModelLoader::inputChannels).filter(c -> c > 0).findFirst().orElse(3);
                ZipWeights weights = new ZipWeights(path, conf, identity);
                weights.verify();
                return new VisionModel(name, type -> GraphSpec.of(conf, type), weights, pre,
                        new int[] {(int) channels, 224, 224}, Map.of(), path.toString());
            }
            MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(json);
            long channels = inputChannels(conf.getConf(0).getLayer());
            ZipWeights weights = new ZipWeights(path, conf, identity);
            weights.verify();
            return new VisionModel(name, type -> GraphSpec.of(conf, type), weights, pre,
                    new int[] {channels > 0 ? (int) channels : 3, 224, 224}, Map.of(), path.toString());
        } catch (IOException | RuntimeException e) {
            if (e instanceof UsageException u) {
                throw u;
            }
            throw new UsageException("cannot load model " + path + ": " + firstLine(e));
        }
    }

    /**
     * The image channels a layer reading the input expects (DL4J files do not record the input type, so
     * the first convolution's nIn tells), or 0 when it does not say. The size is the user's {@code --size}.
     */
    private static long inputChannels(org.deeplearning4j.nn.conf.layers.Layer layer) {
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


    private static String sha256(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UsageException("cannot read model " + path + ": " + firstLine(e));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).trim();
    }

    public static Weights parseWeights(String s) {
        try {
            return Weights.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("unknown weights '" + s + "': expected imagenet or random");
        }
    }
}
