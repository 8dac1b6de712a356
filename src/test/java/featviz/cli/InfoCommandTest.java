package featviz.cli;

import static featviz.cli.MaximizeCommandTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.io.PngWriter;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** featviz info: the provenance text chunks back out of the PNG, plainly and as JSON. */
class InfoCommandTest {
    @TempDir
    Path dir;

    static Map<String, String> provenance(String seed) {
        Map<String, String> text = new LinkedHashMap<>();
        text.put("Software", "featviz 9.9");
        text.put("featviz:model", "vgg19");
        text.put("featviz:layer", "block1_conv2");
        text.put("featviz:seed", seed);
        text.put("featviz:start", "/tmp/café ☕.png"); // not Latin-1: an iTXt chunk
        return text;
    }

    Path png(String name, Map<String, String> text) {
        Path file = dir.resolve(name);
        PngWriter.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), file, text);
        return file;
    }

    @Test
    void printsSoftwareThenTheFeatvizChunksAsKeyValueLines() {
        Map<String, String> text = new LinkedHashMap<>(provenance("7"));
        text.put("Comment", "not ours");
        Path file = png("a.png", text);
        Cli r = Cli.run("info", file.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("Software: featviz 9.9", "featviz:layer: block1_conv2", "featviz:model: vgg19",
                "featviz:seed: 7", "featviz:start: /tmp/café ☕.png"), r.out().lines().toList());
        assertEquals("", r.err());
    }

    @Test
    void jsonRoundTripsEveryChunkOfEveryFile() throws Exception {
        Path a = png("a.png", provenance("1"));
        Path b = png("b.png", provenance("2"));
        Cli r = Cli.run("info", "--json", a.toString(), b.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals(1, r.out().strip().lines().count());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(2, json.size());
        for (Map.Entry<Path, String> file : Map.of(a, "1", b, "2").entrySet()) {
            Map<String, String> back = new TreeMap<>();
            json.get(file.getKey().toString()).fields().forEachRemaining(e -> back.put(e.getKey(), e.getValue().asText()));
            assertEquals(new TreeMap<>(provenance(file.getValue())), back);
        }
    }

    @Test
    void severalFilesGetHeaders() {
        Path a = png("a.png", provenance("1"));
        Path b = png("b.png", provenance("2"));
        List<String> lines = Cli.run("info", a.toString(), b.toString()).out().lines().toList();
        assertEquals("==> " + a + " <==", lines.get(0));
        assertTrue(lines.contains("==> " + b + " <=="), lines.toString());
        assertTrue(lines.contains(""), lines.toString());
    }

    @Test
    void readsBackWhatMaximizeWrote() throws Exception {
        Path out = dir.resolve("rendered.png");
        Cli run = Cli.run("maximize", "--weights", "random", "--layer", "block1_conv2", "--index", "3", "--size", "16",
                "--steps", "2", "--seed", "42", "--quiet", "--output", out.toString());
        assertEquals(0, run.exit(), run.toString());
        JsonNode info = new ObjectMapper().readTree(Cli.run("info", "--json", out.toString()).out()).get(out.toString());
        assertEquals("vgg19", info.get("featviz:model").asText());
        assertEquals("block1_conv2", info.get("featviz:layer").asText());
        assertEquals("42", info.get("featviz:seed").asText());
        assertEquals("2", info.get("featviz:steps").asText());
        assertEquals("16", info.get("featviz:size").asText());
        assertTrue(info.get("featviz:objective").asText().contains("3"), info.toString());
        assertTrue(info.get("Software").asText().startsWith("featviz "), info.toString());
        Cli plain = Cli.run("info", out.toString());
        assertTrue(plain.out().lines().anyMatch(l -> l.equals("featviz:seed: 42")), plain.out());
    }

    @Test
    void aPngWithoutFeatvizChunksIsExit2() throws Exception {
        Path foreign = png("foreign.png", Map.of("Software", "GIMP", "Comment", "hello"));
        assertOneLineError(Cli.run("info", foreign.toString()), 2, "foreign.png", "no featviz provenance", "Comment");
        Path bare = dir.resolve("bare.png");
        ImageIO.write(new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB), "png", bare.toFile());
        assertOneLineError(Cli.run("info", bare.toString()), 2, "bare.png", "no text chunks");
    }

    @Test
    void missingCorruptOrNotPngIsOneLineExit2() throws Exception {
        Path good = png("good.png", provenance("0"));
        assertOneLineError(Cli.run("info", dir.resolve("missing.png").toString()), 2, "missing.png", "no such file");
        Path corrupt = dir.resolve("corrupt.png");
        byte[] bytes = Files.readAllBytes(good);
        Files.write(corrupt, java.util.Arrays.copyOf(bytes, 20));
        Cli r = Cli.run("info", good.toString(), corrupt.toString());
        assertOneLineError(r, 2, "corrupt.png");
        assertEquals("", r.out()); // nothing half-printed
        Path jpeg = dir.resolve("photo.jpg");
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "jpg", jpeg.toFile());
        assertOneLineError(Cli.run("info", jpeg.toString()), 2, "photo.jpg", "not a PNG");
        assertOneLineError(Cli.run("info"), 2, "FILE");
    }
}
