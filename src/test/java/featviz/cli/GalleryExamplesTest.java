package featviz.cli;

import static featviz.cli.MaximizeCommandTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.gallery.ContactSheet;
import featviz.gallery.GalleryFixtures;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** featviz gallery --examples: what featviz examples found, beside each render on the page and the contact sheet. */
class GalleryExamplesTest {
    private static final String LAYER = "block1_conv1";

    @TempDir
    Path dir;

    static String[] args(Object... parts) {
        return java.util.Arrays.stream(parts).map(Object::toString).toArray(String[]::new);
    }

    @Test
    void examplesOfVgg19SitBesideItsRendersOnThePageAndTheSheet() throws Exception {
        Path renders = dir.resolve("renders");
        GalleryFixtures.shard(renders, LAYER, 4, 1, 1);
        Path data = Files.createDirectories(dir.resolve("data"));
        int[] colours = {0xff0000, 0x00ff00, 0x0000ff, 0xffffff, 0x202020};
        for (int i = 0; i < colours.length; i++) {
            ImageIO.write(GalleryFixtures.solid(32, 32, colours[i]), "png", data.resolve("img" + i + ".png").toFile());
        }
        Path examples = dir.resolve("examples");
        Cli ex = Cli.run(args("examples", data, "--weights", "random", "--size", 32, "--layer", LAYER, "--index", "0-2",
                "--top", 4, "--output", examples, "-q"));
        assertEquals(0, ex.exit(), ex.toString());
        JsonNode json = new ObjectMapper().readTree(examples.resolve("examples.json").toFile());
        assertEquals("vgg19", json.get("model").asText());
        assertEquals(LAYER, json.get("layer").asText());

        Path out = dir.resolve("gallery");
        Cli r = Cli.run(args("gallery", renders, "--examples", examples, "--output", out, "--thumb", 32, "--columns", 2));
        assertEquals(0, r.exit(), r.toString());
        String html = Files.readString(out.resolve("index.html"));
        for (int c = 0; c < 3; c++) {
            for (int k = 1; k <= 4; k++) {
                String file = String.format("examples/vgg19/%s/%04d/%02d.png", LAYER, c, k);
                assertTrue(Files.isRegularFile(out.resolve(file)), file);
                assertTrue(html.contains("class=\"example\" src=\"" + file + "\""), file);
            }
        }
        assertTrue(!html.contains("/0003/01.png"), "channel 3 has no examples");

        // Cells twice as wide; channel 0's best example fills the top-left of the square right of its render.
        BufferedImage sheet = ImageIO.read(out.resolve("contact-sheet.png").toFile());
        assertEquals(2 * 2 * 32, sheet.getWidth());
        assertEquals(2 * (32 + ContactSheet.labelHeight(32)), sheet.getHeight());
        BufferedImage best = ImageIO.read(examples.resolve("0000/01.png").toFile());
        assertEquals(best.getRGB(8, 8), sheet.getRGB(32 + 8, 8));
        assertEquals(GalleryFixtures.colour(0), sheet.getRGB(16, 16) & 0xffffff);
        int cellHeight = 32 + ContactSheet.labelHeight(32);
        assertEquals(ContactSheet.BACKGROUND.getRGB(), sheet.getRGB(2 * 32 + 32 + 8, cellHeight + 8),
                "channel 3 (second row, second cell) has no examples: its square stays empty");
        assertEquals(GalleryFixtures.colour(3), sheet.getRGB(2 * 32 + 16, cellHeight + 16) & 0xffffff);
    }

    @Test
    void aDirectoryWithoutExamplesJsonIsOneLine() throws Exception {
        Path renders = dir.resolve("renders");
        GalleryFixtures.shard(renders, LAYER, 2, 1, 1);
        Path empty = Files.createDirectories(dir.resolve("nothing"));
        assertOneLineError(Cli.run(args("gallery", renders, "--examples", empty, "--output", dir.resolve("g"))), 2,
                "--examples " + empty + ": no examples.json");
        assertTrue(!Files.exists(dir.resolve("g")));
    }
}
