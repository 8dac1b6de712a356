package featviz.model;

import featviz.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * One entry of the zoo catalogue ({@code models/<name>.json} in the repository): the architecture, its
 * input and preprocessing, and the pretrained weight file, whose architecture {@link #architecture()} is.
 */
public record ZooModel(String name, String title, int[] inputShape, Preprocessing preprocessing, String defaultLayer,
                       WeightStore.WeightFile imagenetWeights, Embedded embedded, int renderSize) {

    public static final List<String> NAMES = List.of("vgg19", "vgg16", "resnet50", "fashion-mnist");

    /**
     * Trained weights shipped inside featviz (a model zip among the jar's resources), for a model that needs
     * no download: {@code resource} under {@code /featviz/models/}, its Adler32.
     */
    public record Embedded(String resource, long adler32) {
    }

    /** Whether the pretrained weights are ImageNet's, downloaded on first use (else they are embedded). */
    public boolean imagenet() {
        return imagenetWeights != null;
    }

    /** The Adler32 of the pretrained file, which identifies it wherever it is copied to. */
    public long pretrainedAdler32() {
        return imagenet() ? imagenetWeights.adler32() : embedded.adler32();
    }

    /** Every catalogue entry. */
    public static List<ZooModel> all() {
        return NAMES.stream().map(ZooModel::find).toList();
    }

    /** The catalogue entry for a zoo name, or null if the name is not one. */
    public static ZooModel find(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        if (!NAMES.contains(key)) {
            return null;
        }
        try (InputStream in = ZooModel.class.getResourceAsStream("/featviz/models/" + key + ".json")) {
            if (in == null) {
                throw new IllegalStateException("catalogue entry " + key + ".json missing from the build");
            }
            JsonNode json = new ObjectMapper().readTree(in);
            int[] shape = new int[3];
            for (int i = 0; i < 3; i++) {
                shape[i] = json.get("inputShape").get(i).asInt();
            }
            JsonNode w = json.has("weights") ? json.get("weights").get("imagenet") : null;
            // A model trained by the project names its zip in this folder ("file"), which the jar carries.
            return new ZooModel(key, json.get("title").asText(), shape,
                    Preprocessing.parse(json.get("preprocessing").asText()), json.get("defaultLayer").asText(),
                    w == null ? null : new WeightStore.WeightFile(key, w.get("path").asText(), w.get("adler32").asLong()),
                    json.has("file") ? new Embedded(json.get("file").asText(), json.get("adler32").asLong()) : null,
                    json.has("renderSize") ? json.get("renderSize").asInt() : shape[1]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The pretrained file's architecture (names, geometry; 1000 ImageNet classes, 224x224 input), for random
     * weights: the same network whatever the weights. Building the configuration allocates no weights.
     */
    public ComputationGraphConfiguration architecture() {
        if (!NAMES.contains(name)) {
            throw new UsageException("no zoo architecture for " + name);
        }
        return ZooArchitectures.of(name);
    }
}
