package featviz.cli;

import static featviz.cli.MaximizeCommandTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.KnownAnswerNets;
import java.nio.file.Path;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** featviz bench on a model file (its own weights, a named layer) and on bad input. */
class BenchCommandTest {
    @TempDir
    static Path dir;
    static Path colourModel;

    @BeforeAll
    static void saveModel() throws Exception {
        colourModel = dir.resolve("colour-net.zip");
        ModelSerializer.writeModel(KnownAnswerNets.colourNet(), colourModel.toFile(), false);
    }

    @Test
    void timesAModelFileWithItsOwnWeights() throws Exception {
        Cli r = Cli.run("bench", "--model", colourModel.toString(), "--layer", "colour", "--batch", "2",
                "--size", "32", "--steps", "3", "--warmup", "1", "--preset", "tutorial", "--json");
        assertEquals(0, r.exit(), r.toString());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals("colour-net", json.get("model").asText());
        assertEquals("colour", json.get("layer").asText());
        assertEquals(2, json.get("batch").asInt());
        assertTrue(json.get("ms_per_step").asDouble() > 0, r.toString());
        assertEquals(json.get("ms_per_step").asDouble() / 2, json.get("ms_per_image").asDouble(), 1e-9);
        assertTrue(json.get("peak_rss_mb").asDouble() > 0, r.toString());
        assertEquals(128, json.get("render_steps").asInt(), "the tutorial preset's steps per channel");
        assertEquals(3600e3 / (json.get("ms_per_image").asDouble() * 128), json.get("channels_per_hour").asDouble(), 1e-6);
        assertEquals(3, json.get("layer_channels").asInt(), "the colour layer's 3 filters");
        assertEquals(json.get("layer_channels").asDouble() / json.get("channels_per_hour").asDouble(),
                json.get("layer_hours").asDouble(), 1e-9);
    }

    @Test
    void severalBatchSizesEachGetARowAndTheBestIsNamed() {
        Cli r = Cli.run("bench", "--model", colourModel.toString(), "--layer", "colour", "--batch", "1,2",
                "--size", "32", "--steps", "2", "--warmup", "1", "--preset", "tutorial");
        assertEquals(0, r.exit(), r.toString());
        String[] lines = r.out().strip().split("\n");
        assertEquals(3, lines.length, r.out());
        assertTrue(lines[0].contains("batch 1") && lines[1].contains("batch 2"), r.out());
        assertTrue(lines[2].matches("best: --batch [12], \\d+ channels per hour, colour layer of 3 channels in .* hours"),
                r.out());
    }

    @Test
    void aModelFileNeedsALayerAndBadNumbersAreOneLine() {
        assertOneLineError(Cli.run("bench", "--model", colourModel.toString(), "--steps", "1"), 2, "--layer",
                "featviz layers --model");
        assertOneLineError(Cli.run("bench", "--model", colourModel.toString(), "--layer", "colour", "--batch", "0"),
                2, "--batch");
        assertOneLineError(Cli.run("bench", "--model", colourModel.toString(), "--layer", "colour", "--weights",
                "random"), 2, "--weights applies to zoo models only");
    }
}
