package featviz.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import featviz.GradientCheck;
import featviz.UsageException;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Images of 1, 2 and 4 channels: written in their own PNG layout, read back exactly, converted on reading. */
class ChannelImagesTest {
    @TempDir
    Path dir;

    /** Values on the 8-bit grid, so a written and read image must come back exactly. */
    static INDArray levels(long seed, int channels, int height, int width) {
        INDArray u = GradientCheck.uniform(DataType.FLOAT, seed, 1, channels, height, width).muli(255);
        return Nd4j.math().round(u).divi(255);
    }

    @Test
    void aGreyImageIsAGreyPngWithItsTextAndComesBackExactly() throws Exception {
        INDArray grey = levels(1, 1, 7, 10);
        Map<String, String> text = new LinkedHashMap<>();
        text.put("featviz:model", "fashion-mnist");
        text.put("featviz:objective", "class(ankle_boot)");
        Path png = dir.resolve("grey.png");
        PngWriter.write(ImageFiles.toImage(grey), png, text);

        BufferedImage read = ImageIO.read(png.toFile());
        assertEquals(1, read.getColorModel().getNumComponents(), "a grey PNG has one component");
        assertEquals(text, PngWriter.readText(png));
        assertEquals(grey, ImageFiles.readOriginalSize(png, 1));
        // as RGB (contact sheets, compare), grey is the same level in all three channels
        INDArray rgb = ImageFiles.readOriginalSize(png);
        for (int c = 0; c < 3; c++) {
            assertEquals(grey.slice(0).slice(0), rgb.slice(0).slice(c));
        }
    }

    @Test
    void fourAndTwoChannelsAreRgbaAndGreyAlphaPngsAndComeBackExactly() throws Exception {
        for (int channels : new int[] {2, 4}) {
            INDArray image = levels(2 + channels, channels, 5, 6);
            Path png = dir.resolve("c" + channels + ".png");
            PngWriter.write(ImageFiles.toImage(image), png, Map.of("k", "v"));
            BufferedImage read = ImageIO.read(png.toFile());
            assertEquals(channels, read.getColorModel().getNumComponents());
            assertEquals(true, read.getColorModel().hasAlpha());
            assertEquals(image, ImageFiles.readOriginalSize(png, channels));
        }
    }

    @Test
    void aColourPictureBecomesItsLumaForOneChannel() throws Exception {
        BufferedImage rgb = TestImages.randomRgb(6, 4, 3);
        Path png = TestImages.write(rgb, "png", dir.resolve("colour.png"));
        INDArray grey = ImageFiles.readOriginalSize(png, 1);
        assertArrayEquals(new long[] {1, 1, 4, 6}, grey.shape());
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 6; x++) {
                int p = rgb.getRGB(x, y);
                double luma = (0.299 * (p >> 16 & 255) + 0.587 * (p >> 8 & 255) + 0.114 * (p & 255)) / 255;
                assertEquals(luma, grey.getDouble(0, 0, y, x), 1e-6, "pixel " + x + "," + y);
            }
        }
        // resized on the way, as --start does
        assertArrayEquals(new long[] {1, 1, 8, 8}, ImageFiles.read(png, 8, 8, 1).shape());
    }

    @Test
    void alphaIsTheFourthChannelAndCompositedForRgb() throws Exception {
        BufferedImage argb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x00ff0000); // transparent red
        argb.setRGB(1, 0, 0xff0000ff); // opaque blue
        Path png = TestImages.write(argb, "png", dir.resolve("alpha.png"));
        INDArray four = ImageFiles.readOriginalSize(png, 4);
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1, 0, 1}, four.data().asFloat());
        INDArray three = ImageFiles.readOriginalSize(png, 3);
        assertArrayEquals(new float[] {0.5f, 0, 0.5f, 0, 0.5f, 1}, three.data().asFloat());
        // an opaque picture is fully opaque as 4 channels
        Path rgb = TestImages.write(TestImages.randomRgb(3, 3, 1), "png", dir.resolve("opaque.png"));
        assertEquals(1.0, ImageFiles.readOriginalSize(rgb, 4).slice(0).slice(3).minNumber().doubleValue());
    }

    @Test
    void previewsAreRgb() {
        INDArray greyAlpha = Nd4j.create(new float[] {1, 0}, new long[] {1, 2, 1, 1}, 'c'); // white, transparent
        assertEquals(0x808080, ImageFiles.toRgbImage(greyAlpha).getRGB(0, 0) & 0xffffff);
        INDArray rgba = Nd4j.create(new float[] {1, 0, 0, 1}, new long[] {1, 4, 1, 1}, 'c');
        assertEquals(0xff0000, ImageFiles.toRgbImage(rgba).getRGB(0, 0) & 0xffffff);
    }

    @Test
    void moreThanFourChannelsIsOneLine() {
        UsageException e = assertThrows(UsageException.class, () -> ImageFiles.checkChannels(5));
        assertEquals("featviz reads and writes images of 1 to 4 channels (grey, grey+alpha, RGB, RGBA, as PNG has"
                + " them); this model takes 5", e.getMessage());
    }
}
