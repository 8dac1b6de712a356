package featviz.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.UsageException;
import featviz.gallery.GalleryFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

class ManifestTest {
    @TempDir
    Path dir;

    private static Manifest.Render render(int channel, String settings, double objective) {
        return new Manifest.Render("vgg19", "block5_conv4", channel, GalleryFixtures.file("block5_conv4", channel),
                objective, 1.5, settings);
    }

    @Test
    void anAbsentFileIsAnEmptyManifest() {
        Manifest m = Manifest.load(dir);
        assertTrue(m.isEmpty());
        assertTrue(m.settings().isEmpty());
        assertFalse(Manifest.exists(dir));
    }

    @Test
    void roundTripsThroughTheFile() throws Exception {
        Manifest m = new Manifest();
        String id = m.addSettings(GalleryFixtures.settings("block5_conv4", 128));
        m.add(render(4, id, 123.4));
        m.add(render(0, id, Double.NaN));
        Manifest.Render added = m.add(Map.of("model", "vgg19", "steps", 64, "nested", Map.of("b", 1, "a", List.of(1.5, "x"))),
                "vgg19", "block1_conv1", 2, "vgg19/block1_conv1/0002.png", -3.25, 0.125);
        m.write(dir);

        Manifest back = Manifest.load(dir);
        assertEquals(m, back);
        assertEquals(m.toJson(), back.toJson());
        assertEquals(3, back.size());
        assertTrue(Double.isNaN(back.get(new Manifest.Key("vgg19", "block5_conv4", 0, id)).orElseThrow().objective()));
        assertEquals(added, back.get(added.key()).orElseThrow());
        assertEquals(128L, back.settings(id).orElseThrow().get("steps"));

        // The format, as the other tools read it.
        JsonNode json = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
        assertEquals("featviz-manifest/1", json.get("format").asText());
        assertEquals("random seed 0", json.get("settings").get(id).get("weights").asText());
        JsonNode first = json.get("renders").get(0);
        assertEquals("block1_conv1", first.get("layer").asText());
        assertEquals(2, first.get("channel").asInt());
        assertEquals("vgg19/block1_conv1/0002.png", first.get("file").asText());
        assertEquals(-3.25, first.get("objective").asDouble());
        assertEquals(0.125, first.get("seconds").asDouble());
        assertEquals(added.settings(), first.get("settings").asText());
        assertTrue(json.get("renders").get(1).get("objective").isNull(), "NaN is written as null");
    }

    @Test
    void flatAndTransparencyRoundTripAndAreLeftOutWhenUnset() throws Exception {
        Manifest m = new Manifest();
        String id = m.addSettings(GalleryFixtures.settings("block5_conv4", 128));
        m.add(render(1, id, 2.0));
        Manifest.Render marked = new Manifest.Render("vgg19", "block5_conv4", 2, "vgg19/block5_conv4/0002.png", 0, 1.5,
                id, true, "vgg19/block5_conv4/0002_transparency.png", null);
        m.add(marked);
        m.write(dir);
        String json = java.nio.file.Files.readString(dir.resolve(Manifest.FILE_NAME));
        assertEquals(1, json.split("\"flat\"", -1).length - 1, json);
        assertEquals(1, json.split("\"transparency\"", -1).length - 1, json);
        Manifest back = Manifest.load(dir);
        assertEquals(marked, back.get(marked.key()).orElseThrow());
        assertEquals(render(1, id, 2.0), back.get(render(1, id, 2.0).key()).orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> marked.withTransparency("../outside.png"));
    }

    @Test
    void addingTheSameKeyReplacesAndOtherSettingsAreKeptBeside() {
        Manifest m = new Manifest();
        String a = m.addSettings(GalleryFixtures.settings("block5_conv4", 128));
        String b = m.addSettings(GalleryFixtures.settings("block5_conv4", 256));
        assertNotEquals(a, b);
        assertTrue(m.add(render(4, a, 1.0)).isEmpty());
        assertEquals(render(4, a, 1.0), m.add(render(4, a, 2.0)).orElseThrow());
        assertTrue(m.add(render(4, b, 3.0)).isEmpty());
        assertEquals(2, m.size());
        assertEquals(2.0, m.get(new Manifest.Key("vgg19", "block5_conv4", 4, a)).orElseThrow().objective());
        assertEquals(a, m.addSettings(GalleryFixtures.settings("block5_conv4", 128)), "adding settings again is a no-op");
        assertEquals(2, m.settings().size());
        assertThrows(IllegalArgumentException.class, () -> m.add(render(5, "000000000000", 1)));
    }

    @Test
    void settingsIdIsAShortHashOfTheCanonicalJson() {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("steps", 128);
        one.put("model", "vgg19");
        one.put("lr", 0.05);
        Map<String, Object> other = new LinkedHashMap<>();
        other.put("model", "vgg19");
        other.put("lr", 0.05);
        other.put("steps", 128.0);
        String id = Manifest.settingsId(one);
        assertTrue(id.matches("[0-9a-f]{12}"), id);
        assertEquals(id, Manifest.settingsId(other), "key order and 128 vs 128.0 do not matter");
        assertEquals("{\"lr\":0.05,\"model\":\"vgg19\",\"steps\":128}", Manifest.canonicalJson(one));
        other.put("steps", 129);
        assertNotEquals(id, Manifest.settingsId(other));
        assertThrows(IllegalArgumentException.class, () -> Manifest.settingsId(Map.of("lr", Double.NaN)));
        assertThrows(IllegalArgumentException.class, () -> Manifest.settingsId(Map.of("x", new Object())));
    }

    @Test
    void bytesAreTheSameWhateverTheOrderOfAdding() throws Exception {
        List<Integer> channels = new ArrayList<>(IntStream.range(0, 12).boxed().toList());
        Manifest forward = new Manifest();
        String id = forward.addSettings(GalleryFixtures.settings("block5_conv4", 128));
        channels.forEach(c -> forward.add(render(c, id, c * 1.5)));
        Manifest backward = new Manifest();
        backward.addSettings(GalleryFixtures.settings("block5_conv4", 128));
        for (int i = channels.size() - 1; i >= 0; i--) {
            backward.add(render(channels.get(i), id, channels.get(i) * 1.5));
        }
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        forward.write(a);
        backward.write(b);
        byte[] bytes = Files.readAllBytes(a.resolve("manifest.json"));
        assertArrayEquals(bytes, Files.readAllBytes(b.resolve("manifest.json")));
        Manifest.load(a).write(a);
        assertArrayEquals(bytes, Files.readAllBytes(a.resolve("manifest.json")), "load and write again: same bytes");
        assertEquals(channels, GalleryFixtures.channels(Manifest.load(a)), "sorted by channel as a number: 2 before 10");
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertTrue(text.endsWith("]\n}\n"), text);
        assertFalse(text.contains("\r"));
        assertEquals(12, text.lines().filter(l -> l.contains("\"channel\":")).count(), "one render per line");
    }

    @Test
    void mergingThreeShardsGivesEveryChannelOnce() throws Exception {
        List<Manifest> shards = new ArrayList<>();
        for (int k = 1; k <= 3; k++) {
            shards.add(GalleryFixtures.shard(dir.resolve("shard" + k), "block5_conv4", 10, k, 3));
        }
        Manifest merged = new Manifest();
        for (Manifest shard : shards) {
            assertTrue(merged.merge(shard).isEmpty());
        }
        assertEquals(IntStream.range(0, 10).boxed().toList(), GalleryFixtures.channels(merged));
        assertEquals(1, merged.settings().size());
        Manifest reversed = Manifest.merged(List.of(shards.get(2), shards.get(1), shards.get(0)));
        assertEquals(merged.toJson(), reversed.toJson());
    }

    @Test
    void aDuplicateKeepsTheHigherObjectiveWhateverTheOrder() {
        Manifest a = new Manifest();
        String id = a.addSettings(GalleryFixtures.settings("block5_conv4", 128));
        a.add(render(4, id, 10));
        a.add(render(5, id, 10));
        Manifest b = new Manifest();
        b.addSettings(GalleryFixtures.settings("block5_conv4", 128));
        b.add(render(4, id, 11));

        Manifest ab = a.copy();
        List<Manifest.Conflict> conflicts = ab.merge(b);
        assertEquals(List.of(new Manifest.Conflict(render(4, id, 11), render(4, id, 10))), conflicts);
        Manifest ba = b.copy();
        ba.merge(a);
        assertEquals(ab, ba);
        assertEquals(11.0, ab.get(new Manifest.Key("vgg19", "block5_conv4", 4, id)).orElseThrow().objective());
        assertEquals(10.0, a.get(new Manifest.Key("vgg19", "block5_conv4", 4, id)).orElseThrow().objective(),
                "merging into a copy leaves the original alone");
    }

    @Test
    void aCorruptManifestIsAUsageErrorNamingTheFile() throws Exception {
        Path file = dir.resolve("manifest.json");
        Files.writeString(file, "{\"format\": \"featviz-manifest/1\", \"renders\": [");
        UsageException e = assertThrows(UsageException.class, () -> Manifest.load(dir));
        assertTrue(e.getMessage().startsWith("cannot read manifest " + file + ": not valid JSON at line 1"), e.getMessage());

        Files.writeString(file, "[1, 2]");
        e = assertThrows(UsageException.class, () -> Manifest.load(dir));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("not a featviz manifest"), e.getMessage());

        Files.writeString(file, "{\"format\": \"featviz-manifest/2\"}");
        e = assertThrows(UsageException.class, () -> Manifest.load(dir));
        assertTrue(e.getMessage().contains("featviz-manifest/2"), e.getMessage());

        Files.writeString(file, "{\"format\": \"featviz-manifest/1\", \"settings\": {\"s\": {}}, \"renders\": ["
                + "{\"model\": \"m\", \"layer\": \"l\", \"channel\": 1, \"file\": \"../../etc/passwd\", \"settings\": \"s\"}]}");
        e = assertThrows(UsageException.class, () -> Manifest.load(dir));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("render 1: file ../../etc/passwd"),
                e.getMessage());

        Files.writeString(file, "{\"format\": \"featviz-manifest/1\", \"settings\": {}, \"renders\": ["
                + "{\"model\": \"m\", \"layer\": \"l\", \"channel\": \"one\", \"file\": \"a.png\", \"settings\": \"s\"}]}");
        e = assertThrows(UsageException.class, () -> Manifest.load(dir));
        assertTrue(e.getMessage().contains("render 1 has no \"channel\""), e.getMessage());

        Files.writeString(file, "{\"format\": \"featviz-manifest/1\", \"settings\": {}, \"renders\": ["
                + "{\"model\": \"m\", \"layer\": \"l\", \"channel\": 1, \"file\": \"a.png\", \"settings\": \"s\"}]}");
        e = assertThrows(UsageException.class, () -> Manifest.load(dir));
        assertTrue(e.getMessage().contains("refers to settings s"), e.getMessage());
    }

    @Test
    void differentSettingsUnderOneIdCannotBeMerged() {
        Manifest a = Manifest.parse(("{\"format\": \"featviz-manifest/1\", \"settings\": {\"s\": {\"steps\": 1}}}")
                .getBytes(StandardCharsets.UTF_8), "a");
        Manifest b = Manifest.parse(("{\"format\": \"featviz-manifest/1\", \"settings\": {\"s\": {\"steps\": 2}}}")
                .getBytes(StandardCharsets.UTF_8), "b");
        UsageException e = assertThrows(UsageException.class, () -> a.merge(b));
        assertTrue(e.getMessage().contains("different settings under the same id s"), e.getMessage());
    }

    @Test
    void renderFilesMustStayInsideTheDirectory() {
        for (String bad : List.of("", "/abs.png", "a/../../b.png", "a//b.png", "C:\\x.png", "./a.png")) {
            assertThrows(IllegalArgumentException.class, () -> render(0, "s", 1).withFile(bad), bad);
        }
        assertEquals("a b/ü.png", render(0, "s", 1).withFile("a b/ü.png").file());
    }
}
