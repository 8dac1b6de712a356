package featviz.io;

import featviz.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static featviz.io.ImageFilesReadTest.assertSamePixels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PngWriterTest {
    @TempDir
    Path dir;

    private final Map<String, String> text = new LinkedHashMap<>();

    PngWriterTest() {
        text.put("Software", "featviz 0.1.0");
        text.put("layer", "mixed4a café");
        text.put("Comment", "Größe 日本語 🎨");
    }

    @Test
    void pixelsRoundTripExactly() throws IOException {
        BufferedImage original = TestImages.randomRgb(11, 6, 5);
        Path png = dir.resolve("out.png");

        PngWriter.write(original, png, text);

        assertSamePixels(original, ImageIO.read(png.toFile()));
    }

    @Test
    void textRoundTripsIncludingNonLatin1() {
        Path png = dir.resolve("out.png");

        PngWriter.write(TestImages.redBlue(2, 2), png, text);

        assertEquals(text, PngWriter.readText(png));
    }

    /** Latin-1 text goes in tEXt as Latin-1 bytes, anything else in iTXt as UTF-8, both uncompressed. */
    @Test
    void textChunksFollowThePngSpecification() throws IOException {
        Path png = dir.resolve("out.png");

        PngWriter.write(TestImages.redBlue(2, 2), png, text);

        List<TestImages.Chunk> chunks = TestImages.chunks(Files.readAllBytes(png));
        List<String> latin1 = chunks.stream().filter(c -> c.type().equals("tEXt")).map(TestImages.Chunk::latin1).toList();
        assertEquals(List.of("Software\0featviz 0.1.0", "layer\0mixed4a café"), latin1);
        TestImages.Chunk international = chunks.stream().filter(c -> c.type().equals("iTXt")).findFirst().orElseThrow();
        assertArrayEquals(("Comment\0\0\0\0\0" + "Größe 日本語 🎨").getBytes(StandardCharsets.UTF_8), international.data());
    }

    /** No tIME chunk nor anything else that changes between runs: the same input gives the same bytes. */
    @Test
    void sameInputGivesSameBytes() throws IOException {
        BufferedImage image = TestImages.randomRgb(8, 8, 9);
        Path first = dir.resolve("first.png");
        Path second = dir.resolve("second.png");

        PngWriter.write(image, first, text);
        PngWriter.write(image, second, new LinkedHashMap<>(text));

        byte[] bytes = Files.readAllBytes(first);
        assertArrayEquals(bytes, Files.readAllBytes(second));
        List<String> types = TestImages.chunkTypes(bytes);
        assertEquals(List.of("IHDR", "tEXt", "tEXt", "iTXt"), types.subList(0, 4));
        assertTrue(types.subList(4, types.size() - 1).stream().allMatch("IDAT"::equals), types.toString());
        assertEquals("IEND", types.get(types.size() - 1));
    }

    @Test
    void replacesAnExistingFileAndLeavesNothingElse() throws IOException {
        Path png = dir.resolve("out.png");
        Files.writeString(png, "old content");

        PngWriter.write(TestImages.redBlue(4, 4), png, Map.of());

        assertSamePixels(TestImages.redBlue(4, 4), ImageIO.read(png.toFile()));
        assertEquals(List.of("out.png"), TestImages.listing(dir));
    }

    @Test
    void missingDirectoryIsAUsageError() throws IOException {
        Path png = dir.resolve("no-such-dir").resolve("out.png");

        UsageException error = assertThrows(UsageException.class, () -> PngWriter.write(TestImages.redBlue(2, 2), png, text));

        assertEquals("cannot write " + png + ": directory " + png.getParent() + " does not exist", error.getMessage());
        assertEquals(List.of(), TestImages.listing(dir));
    }

    @Test
    void targetThatIsADirectoryIsAUsageError() throws IOException {
        Path png = Files.createDirectory(dir.resolve("out.png"));

        UsageException error = assertThrows(UsageException.class, () -> PngWriter.write(TestImages.redBlue(2, 2), png, text));

        assertEquals("cannot write " + png + ": it is a directory", error.getMessage());
        assertEquals(List.of("out.png"), TestImages.listing(dir));
        assertEquals(List.of(), TestImages.listing(png));
    }

    @Test
    void invalidKeywordWritesNothing() throws IOException {
        Map<String, String> bad = Map.of(" leading space", "value");

        assertThrows(IllegalArgumentException.class,
                () -> PngWriter.write(TestImages.redBlue(2, 2), dir.resolve("out.png"), bad));

        assertEquals(List.of(), TestImages.listing(dir));
    }

    @Test
    void pngWithoutTextHasNone() {
        Path png = dir.resolve("plain.png");
        PngWriter.write(TestImages.redBlue(2, 2), png, Map.of());

        assertEquals(Map.of(), PngWriter.readText(png));
    }

    @Test
    void readTextOfOtherFilesIsAUsageError() throws IOException {
        Path jpeg = TestImages.write(TestImages.redBlue(2, 2), "jpeg", dir.resolve("photo.jpg"));
        Path missing = dir.resolve("missing.png");

        assertEquals("cannot read PNG file " + jpeg + ": not a PNG file",
                assertThrows(UsageException.class, () -> PngWriter.readText(jpeg)).getMessage());
        assertEquals("cannot read PNG file " + missing + ": no such file",
                assertThrows(UsageException.class, () -> PngWriter.readText(missing)).getMessage());
    }
}
