package featviz.gallery;

import featviz.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * What {@code featviz examples} wrote into a directory ({@code examples.json} and the crops beside it): for one
 * model and layer, each channel's strongest dataset images, best first. The gallery shows them beside the
 * renders of the same model, layer and channel.
 */
public record ExampleCrops(Path directory, String model, String layer, Map<Integer, List<String>> crops) {
    public static final String FILE_NAME = "examples.json";

    /**
     * Reads {@code dir/examples.json}.
     *
     * @throws UsageException when it is missing or not what featviz examples writes
     */
    public static ExampleCrops load(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new UsageException("--examples " + dir + ": no " + FILE_NAME + " in it (is it a directory that "
                    + "featviz examples --output wrote?)");
        }
        try {
            JsonNode json = new ObjectMapper().readTree(file.toFile());
            JsonNode channels = json.get("channels");
            if (json.get("model") == null || json.get("layer") == null || channels == null || !channels.isObject()) {
                throw new UsageException("--examples " + file + ": not an examples file (needs model, layer, channels)");
            }
            Map<Integer, List<String>> crops = new LinkedHashMap<>();
            var fields = channels.fields();
            while (fields.hasNext()) {
                var e = fields.next();
                List<String> list = new ArrayList<>();
                for (JsonNode example : e.getValue()) {
                    list.add(example.get("crop").asText());
                }
                crops.put(Integer.parseInt(e.getKey()), List.copyOf(list));
            }
            return new ExampleCrops(dir, json.get("model").asText(), json.get("layer").asText(), crops);
        } catch (IOException | RuntimeException e) {
            if (e instanceof UsageException u) {
                throw u;
            }
            throw new UsageException("--examples " + file + ": cannot read it (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The crops (relative to {@link #directory}) for a render, best first; none for another model or layer. */
    public List<String> of(String model, String layer, int channel) {
        if (!this.model.equals(model) || !this.layer.equals(layer)) {
            return List.of();
        }
        return crops.getOrDefault(channel, List.of());
    }
}
