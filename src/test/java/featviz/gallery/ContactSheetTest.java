package featviz.gallery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.io.PngWriter;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContactSheetTest {
    @TempDir
    Path dir;

    private List<ContactSheet.Cell> solidCells(int n, int size) {
        List<ContactSheet.Cell> cells = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            Path png = dir.resolve(String.format("%04d.png", c));
            PngWriter.write(GalleryFixtures.solid(size, size, GalleryFixtures.colour(c)), png, Map.of());
            cells.add(new ContactSheet.Cell(png, Integer.toString(c)));
        }
        return cells;
    }

    private static int rgb(BufferedImage image, int x, int y) {
        return image.getRGB(x, y) & 0xffffff;
    }

    @Test
    void gridIsColumnsTimesThumbWithALabelRowUnderEachRow() {
        int thumb = 32;
        List<ContactSheet.Cell> cells = solidCells(10, 24);
        BufferedImage sheet = ContactSheet.render(cells, thumb, ContactSheet.defaultColumns(10), (p, r) -> {
            throw new AssertionError(r);
        });
        int label = ContactSheet.labelHeight(thumb);
        assertEquals(4, ContactSheet.defaultColumns(10));
        assertEquals(4 * thumb, sheet.getWidth());
        assertEquals(3 * (thumb + label), sheet.getHeight());
        for (int k = 0; k < 10; k++) {
            int x = (k % 4) * thumb + thumb / 2;
            int y = (k / 4) * (thumb + label) + thumb / 2;
            assertEquals(GalleryFixtures.colour(k), rgb(sheet, x, y), "centre of cell " + k);
            // upscaled 24 -> 32 edge to edge: the corners are the image's too
            assertEquals(GalleryFixtures.colour(k), rgb(sheet, (k % 4) * thumb, (k / 4) * (thumb + label)), "corner of cell " + k);
        }
        // the two cells after the last image are background, and so is the label strip away from the text
        int background = ContactSheet.BACKGROUND.getRGB() & 0xffffff;
        assertEquals(background, rgb(sheet, 2 * thumb + thumb / 2, 2 * (thumb + label) + thumb / 2));
        assertEquals(background, rgb(sheet, 3 * thumb + thumb / 2, 2 * (thumb + label) + thumb / 2));
        assertEquals(background, rgb(sheet, 1, thumb + 1));
        // the label is drawn: some light pixels in the strip under cell 0
        boolean text = false;
        for (int y = thumb; y < thumb + label; y++) {
            for (int x = 0; x < thumb; x++) {
                text |= ((rgb(sheet, x, y) >> 8) & 0xff) > 0x80;
            }
        }
        assertTrue(text, "label of cell 0 drawn");
    }

    @Test
    void columnsCanBeChosenAndAreCappedAtTheImageCount() {
        List<ContactSheet.Cell> cells = solidCells(6, 16);
        BufferedImage five = ContactSheet.render(cells, 16, 5, (p, r) -> { });
        assertEquals(5 * 16, five.getWidth());
        assertEquals(2 * (16 + ContactSheet.labelHeight(16)), five.getHeight());
        BufferedImage wide = ContactSheet.render(cells, 16, 50, (p, r) -> { });
        assertEquals(6 * 16, wide.getWidth());
        assertEquals(16 + ContactSheet.labelHeight(16), wide.getHeight());
        assertEquals(GalleryFixtures.colour(5), rgb(wide, 5 * 16 + 8, 8));
    }

    @Test
    void sameInputSameBytes() throws Exception {
        List<ContactSheet.Cell> cells = solidCells(5, 20);
        Path a = dir.resolve("a.png");
        Path b = dir.resolve("b.png");
        PngWriter.write(ContactSheet.render(cells, 40, 3, (p, r) -> { }), a, Map.of("Title", "t"));
        PngWriter.write(ContactSheet.render(cells, 40, 3, (p, r) -> { }), b, Map.of("Title", "t"));
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        List<ContactSheet.Cell> relabelled = new ArrayList<>(cells);
        relabelled.set(0, new ContactSheet.Cell(cells.get(0).image(), "7"));
        PngWriter.write(ContactSheet.render(relabelled, 40, 3, (p, r) -> { }), b, Map.of("Title", "t"));
        assertFalse(Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)), "another label, other pixels");
    }

    @Test
    void wideImagesAreLetterboxedAndUnreadableOnesMarked() throws Exception {
        Path wide = dir.resolve("wide.png");
        PngWriter.write(GalleryFixtures.solid(40, 20, 0x00ff00), wide, Map.of());
        Path broken = Files.writeString(dir.resolve("broken.png"), "not a png");
        List<String> problems = new ArrayList<>();
        BufferedImage sheet = ContactSheet.render(List.of(new ContactSheet.Cell(wide, "0"), new ContactSheet.Cell(broken, "1")),
                40, 2, (p, r) -> problems.add(p + ": " + r));
        assertEquals(0x00ff00, rgb(sheet, 20, 20));
        assertEquals(ContactSheet.BACKGROUND.getRGB() & 0xffffff, rgb(sheet, 20, 5), "above a 40x20 image in a 40x40 cell");
        assertEquals(ContactSheet.UNREADABLE.getRGB() & 0xffffff, rgb(sheet, 60, 20));
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).contains("broken.png"), problems.toString());
    }
}
