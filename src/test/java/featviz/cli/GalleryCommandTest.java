package featviz.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.gallery.ContactSheet;
import featviz.gallery.GalleryFixtures;
import featviz.job.Manifest;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

class GalleryCommandTest {
    private static final String LAYER = "block5_conv4";

    @TempDir
    Path dir;

    private Path[] shards(int channels) throws Exception {
        Path[] shards = new Path[3];
        for (int k = 1; k <= 3; k++) {
            shards[k - 1] = dir.resolve("shard-" + k + "-of-3");
            GalleryFixtures.shard(shards[k - 1], LAYER, channels, k, 3);
        }
        return shards;
    }

    private static String[] args(Object... parts) {
        return java.util.Arrays.stream(parts).map(Object::toString).toArray(String[]::new);
    }

    @Test
    void mergesThreeShardsIntoOneGalleryWithEveryChannelOnce() throws Exception {
        Path[] s = shards(10);
        Path out = dir.resolve("gallery");
        Cli r = Cli.run(args("gallery", s[0], s[1], s[2], "--output", out, "--thumb", 32, "--json"));
        assertEquals(0, r.exit(), r.toString());

        Manifest merged = Manifest.load(out);
        assertEquals(IntStream.range(0, 10).boxed().toList(), GalleryFixtures.channels(merged));
        for (Manifest.Render render : merged.entries()) {
            Path image = render.path(out);
            assertTrue(Files.isRegularFile(image), image.toString());
            assertEquals(GalleryFixtures.file(LAYER, render.channel()), render.file(), "relative paths kept");
            Path original = s[render.channel() % 3].resolve(render.file());
            assertTrue(Files.isSameFile(original, image), "hard-linked on the same file system: " + image);
        }

        BufferedImage sheet = ImageIO.read(out.resolve("contact-sheet.png").toFile());
        int label = ContactSheet.labelHeight(32);
        assertEquals(4 * 32, sheet.getWidth());
        assertEquals(3 * (32 + label), sheet.getHeight());
        for (int k = 0; k < 10; k++) {
            int rgb = sheet.getRGB((k % 4) * 32 + 16, (k / 4) * (32 + label) + 16) & 0xffffff;
            assertEquals(GalleryFixtures.colour(k), rgb, "cell " + k);
        }
        String html = Files.readString(out.resolve("index.html"));
        assertEquals(10, html.split("<img class=\"render-image\"", -1).length - 1);
        assertTrue(html.contains("src=\"vgg19/block5_conv4/0007.png\""), "relative image paths");
        assertFalse(html.contains("http://") || html.contains("https://") || html.contains("<link"), "no external assets");

        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(10, json.get("images").asInt());
        assertEquals(3, json.get("directories").asInt());
        assertEquals(10, json.get("linked").asInt());
        assertEquals(1, json.get("sheets").size());
        assertEquals(4, json.get("sheets").get(0).get("columns").asInt());
        assertEquals(3, json.get("sheets").get(0).get("rows").asInt());
        assertTrue(json.get("complete").asBoolean());
        List<String> err = r.err().lines().toList();
        assertEquals(1, err.size(), r.err());
        assertTrue(err.get(0).startsWith("gallery " + out + ": 10 images in 1 group from 3 directories"), r.err());

        // Again into the same place: nothing to link, same bytes.
        byte[] sheetBytes = Files.readAllBytes(out.resolve("contact-sheet.png"));
        byte[] page = Files.readAllBytes(out.resolve("index.html"));
        Cli again = Cli.run(args("gallery", s[2], s[0], s[1], "-o", out, "--thumb", 32, "--json"));
        assertEquals(0, again.exit(), again.toString());
        assertEquals(10, new ObjectMapper().readTree(again.out()).get("unchanged").asInt());
        assertArrayEquals(sheetBytes, Files.readAllBytes(out.resolve("contact-sheet.png")), "deterministic sheet");
        assertArrayEquals(page, Files.readAllBytes(out.resolve("index.html")), "deterministic page, whatever the order");
    }

    @Test
    void aChannelInTwoShardsIsKeptOnceWithAWarning() throws Exception {
        Path[] s = shards(6);
        // shard 2 also rendered channel 0 (shard 1's), better
        Manifest two = Manifest.load(s[1]);
        String id = Manifest.settingsId(GalleryFixtures.settings(LAYER, 16));
        GalleryFixtures.render(s[1], two, LAYER, 0, id, 500);
        two.write(s[1]);

        Path out = dir.resolve("gallery");
        Cli r = Cli.run(args("gallery", s[0], s[1], s[2], "--output", out, "--thumb", 16));
        assertEquals(0, r.exit(), r.toString());
        List<String> err = r.err().lines().toList();
        assertEquals(2, err.size(), r.err());
        assertTrue(err.get(0).startsWith("featviz: warning: vgg19 block5_conv4 channel 0 (settings " + id
                + ") was rendered in 2 directories (" + s[0] + ", " + s[1] + "); kept " + s[1].resolve(GalleryFixtures.file(LAYER, 0))
                + " (objective 500)"), err.get(0));
        Manifest merged = Manifest.load(out);
        assertEquals(List.of(0, 1, 2, 3, 4, 5), GalleryFixtures.channels(merged));
        assertEquals(500.0, merged.entries().get(0).objective());
        assertTrue(Files.isSameFile(s[1].resolve(GalleryFixtures.file(LAYER, 0)), out.resolve(GalleryFixtures.file(LAYER, 0))));
    }

    @Test
    void theSameChannelWithOtherSettingsIsKeptTwiceOnItsOwnSheet() throws Exception {
        Path[] s = shards(4);
        Path rerun = dir.resolve("rerun");
        Manifest m = new Manifest();
        String longer = m.addSettings(GalleryFixtures.settings(LAYER, 64));
        GalleryFixtures.render(rerun, m, LAYER, 2, longer, 300);
        m.write(rerun);
        String usual = Manifest.settingsId(GalleryFixtures.settings(LAYER, 16));

        Path out = dir.resolve("gallery");
        Cli r = Cli.run(args("gallery", s[0], s[1], s[2], rerun, "--output", out, "--thumb", 16, "--json"));
        assertEquals(0, r.exit(), r.toString());
        Manifest merged = Manifest.load(out);
        assertEquals(5, merged.size());
        assertEquals(2, merged.settings().size());
        Manifest.Render a = merged.get(new Manifest.Key("vgg19", LAYER, 2, usual)).orElseThrow();
        Manifest.Render b = merged.get(new Manifest.Key("vgg19", LAYER, 2, longer)).orElseThrow();
        // Both came as vgg19/block5_conv4/0002.png: the later settings id (in sort order) gets its id appended.
        String first = usual.compareTo(longer) < 0 ? a.file() : b.file();
        String second = usual.compareTo(longer) < 0 ? b.file() : a.file();
        String secondId = usual.compareTo(longer) < 0 ? longer : usual;
        assertEquals(GalleryFixtures.file(LAYER, 2), first);
        assertEquals("vgg19/block5_conv4/0002-" + secondId + ".png", second);
        assertTrue(Files.isRegularFile(out.resolve(second)));

        JsonNode sheets = new ObjectMapper().readTree(r.out()).get("sheets");
        assertEquals(2, sheets.size());
        for (JsonNode sheet : sheets) {
            String settings = sheet.get("settings").asText();
            assertEquals(out.resolve("contact-sheet-vgg19-block5_conv4-" + settings + ".png").toString(), sheet.get("file").asText());
            assertEquals(settings.equals(usual) ? 4 : 1, sheet.get("images").asInt());
            assertTrue(Files.isRegularFile(Path.of(sheet.get("file").asText())));
        }
        assertFalse(Files.exists(out.resolve("contact-sheet.png")));
    }

    @Test
    void severalLayersGetOneSheetEach() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        GalleryFixtures.shard(a, "block1_conv1", 3, 1, 1);
        GalleryFixtures.shard(b, "block5_conv4", 2, 1, 1);
        Path out = dir.resolve("gallery");
        Cli r = Cli.run(args("gallery", a, b, "--output", out, "--thumb", 16, "--columns", 2));
        assertEquals(0, r.exit(), r.toString());
        BufferedImage first = ImageIO.read(out.resolve("contact-sheet-vgg19-block1_conv1.png").toFile());
        assertEquals(2 * 16, first.getWidth());
        assertEquals(2 * (16 + ContactSheet.labelHeight(16)), first.getHeight());
        BufferedImage second = ImageIO.read(out.resolve("contact-sheet-vgg19-block5_conv4.png").toFile());
        assertEquals(2 * 16, second.getWidth());
        assertEquals(16 + ContactSheet.labelHeight(16), second.getHeight());
        assertTrue(r.err().contains("5 images in 2 groups from 2 directories"), r.err());
    }

    @Test
    void missingImagesAreListedOneALineAndExitOneAfterTheGalleryIsWritten() throws Exception {
        Path[] s = shards(9);
        Files.delete(s[0].resolve(GalleryFixtures.file(LAYER, 3)));
        Files.delete(s[2].resolve(GalleryFixtures.file(LAYER, 5)));
        Path out = dir.resolve("gallery");
        Cli r = Cli.run(args("gallery", s[0], s[1], s[2], "--output", out, "--json"));
        assertEquals(1, r.exit(), r.toString());
        List<String> err = r.err().lines().toList();
        assertEquals(4, err.size(), r.err());
        assertTrue(err.get(0).startsWith("featviz: missing image " + s[0].resolve(GalleryFixtures.file(LAYER, 3))), err.get(0));
        assertTrue(err.get(1).startsWith("featviz: missing image " + s[2].resolve(GalleryFixtures.file(LAYER, 5))), err.get(1));
        assertTrue(err.get(2).startsWith("gallery " + out + ": 7 images"), err.get(2));
        assertEquals("featviz: 2 images missing or unreadable (listed above); the gallery in " + out + " has the other 7", err.get(3));
        assertEquals(List.of(0, 1, 2, 4, 6, 7, 8), GalleryFixtures.channels(Manifest.load(out)));
        assertTrue(Files.isRegularFile(out.resolve("contact-sheet.png")));
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertFalse(json.get("complete").asBoolean());
        assertEquals(2, json.get("missing").size());
    }

    @Test
    void badInputIsAUsageErrorOnOneLine() throws Exception {
        Path[] s = shards(3);
        Path out = dir.resolve("gallery");
        Files.writeString(s[1].resolve("manifest.json"), "{\"format\": \"featviz-manifest/1\", \"renders\": [}");
        Cli r = Cli.run(args("gallery", s[0], s[1], "--output", out));
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().startsWith("featviz: cannot read manifest " + s[1].resolve("manifest.json") + ": not valid JSON"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(Files.exists(out.resolve("manifest.json")));

        Path empty = Files.createDirectories(dir.resolve("empty"));
        r = Cli.run(args("gallery", empty, "--output", out));
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().startsWith("featviz: no manifest.json in " + empty), r.err());

        r = Cli.run(args("gallery", s[0], "--output", out, "--thumb", 4));
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--thumb must be 16 to 1024"), r.err());

        r = Cli.run(args("gallery", s[0]));
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--output"), r.err());
    }
}
