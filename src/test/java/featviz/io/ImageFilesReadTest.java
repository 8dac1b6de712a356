package featviz.io;

import com.twelvemonkeys.imageio.color.ColorSpaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.w3c.dom.Element;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ImageFiles reads every format it promises into [1, 3, H, W] FLOAT RGB in [0, 1]. */
class ImageFilesReadTest {
    /** 4 x 2, left half red, right half blue: {@code cwebp -lossless -exact} of such a PNG. */
    private static final String LOSSLESS_WEBP = "UklGRhoAAABXRUJQVlA4TA0AAAAvA0AAAIj5n//+R2kpAA==";
    /** 16 x 16, left half red, right half blue: {@code cwebp -q 90} of such a PNG (lossy VP8). */
    private static final String LOSSY_WEBP =
            "UklGRkQAAABXRUJQVlA4IDgAAAAwAgCdASoQABAAAMASJaACdLoB+AH4gARoAAD+/Suf/9+gm/93m/10S8z/60c//rRlcH9aOb+gAA==";

    @TempDir
    Path dir;

    @Test
    void twelveMonkeysReadersAreRegistered() throws IOException {
        ImageFiles.readOriginalSize(TestImages.write(TestImages.redBlue(2, 1), "png", dir.resolve("tiny.png")));

        assertTrue(readerClasses("jpeg").get(0).startsWith("com.twelvemonkeys."), "CMYK-capable JPEG reader comes first");
        assertTrue(readerClasses("webp").stream().anyMatch(c -> c.startsWith("com.twelvemonkeys.")));
        assertTrue(readerClasses("psd").stream().anyMatch(c -> c.startsWith("com.twelvemonkeys.")));
    }

    @Test
    void pngPixelsRoundTripExactly() throws IOException {
        BufferedImage original = TestImages.randomRgb(7, 5, 42);
        Path png = dir.resolve("random.png");
        PngWriter.write(original, png, Map.of());

        INDArray read = ImageFiles.readOriginalSize(png);

        assertArrayEquals(new long[] {1, 3, 5, 7}, read.shape());
        assertEquals(DataType.FLOAT, read.dataType());
        assertEquals((original.getRGB(3, 2) >> 8 & 0xff) / 255f, read.getFloat(0, 1, 2, 3));
        assertSamePixels(original, ImageFiles.toImage(read));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bmp", "tiff", "psd"})
    void losslessFormatsReadExactly(String format) throws IOException {
        BufferedImage original = TestImages.randomRgb(6, 4, format.hashCode());
        Path file = TestImages.write(original, format, dir.resolve("image." + format));

        assertSamePixels(original, ImageFiles.toImage(ImageFiles.readOriginalSize(file)));
    }

    @Test
    void readsJpeg() throws IOException {
        Path jpeg = TestImages.write(TestImages.redBlue(16, 16), "jpeg", dir.resolve("photo.jpg"));

        INDArray read = ImageFiles.read(jpeg, 16);

        assertRgb(read, 8, 1, 1, 0, 0, 0.1f);
        assertRgb(read, 8, 14, 0, 0, 1, 0.1f);
    }

    /** An Adobe CMYK JPEG as Photoshop writes them; the JDK's own reader refuses these. */
    @Test
    void readsCmykJpeg() throws IOException {
        Path jpeg = TestImages.write(noInkLeftCyanRight(), "jpeg", "com.twelvemonkeys.", dir.resolve("cmyk.jpg"));
        assertEquals("0", adobeTransform(jpeg), "Adobe transform 0: stored as CMYK");

        assertNoInkLeftCyanRight(ImageFiles.readOriginalSize(jpeg));
    }

    /** YCCK: CMYK whose CMY part is stored as YCbCr, as the JDK's writer does it. */
    @Test
    void readsYcckJpeg() throws IOException {
        Path jpeg = TestImages.write(noInkLeftCyanRight(), "jpeg", "com.sun.", dir.resolve("ycck.jpg"));
        assertEquals("2", adobeTransform(jpeg), "Adobe transform 2: stored as YCCK");

        assertNoInkLeftCyanRight(ImageFiles.readOriginalSize(jpeg));
    }

    @Test
    void readsLosslessWebpExactly() throws IOException {
        Path webp = Files.write(dir.resolve("lossless.webp"), Base64.getDecoder().decode(LOSSLESS_WEBP));

        assertSamePixels(TestImages.redBlue(4, 2), ImageFiles.toImage(ImageFiles.readOriginalSize(webp)));
    }

    @Test
    void readsLossyWebp() throws IOException {
        Path webp = Files.write(dir.resolve("lossy.webp"), Base64.getDecoder().decode(LOSSY_WEBP));

        INDArray read = ImageFiles.readOriginalSize(webp);

        assertArrayEquals(new long[] {1, 3, 16, 16}, read.shape());
        assertRgb(read, 8, 1, 1, 0, 0, 0.15f);
        assertRgb(read, 8, 14, 0, 0, 1, 0.15f);
    }

    /** Grey levels are gamma-encoded already: 128 must stay 128 / 255, not become sRGB 188. */
    @Test
    void readsGreyPngAsStored() throws IOException {
        BufferedImage grey = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, 128, 255});
        Path png = TestImages.write(grey, "png", dir.resolve("grey.png"));

        INDArray read = ImageFiles.readOriginalSize(png);

        for (int c = 0; c < 3; c++) {
            assertEquals(0f, read.getFloat(0, c, 0, 0));
            assertEquals(128 / 255f, read.getFloat(0, c, 0, 1));
            assertEquals(1f, read.getFloat(0, c, 0, 2));
        }
    }

    @Test
    void keepsSixteenBitPrecision() throws IOException {
        BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        grey.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {0x8000, 1});
        ComponentColorModel rgbModel = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB),
                false, false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = rgbModel.createCompatibleWritableRaster(1, 1);
        raster.setPixel(0, 0, new int[] {1000, 40000, 65535});
        BufferedImage rgb = new BufferedImage(rgbModel, raster, false, null);

        INDArray readGrey = ImageFiles.readOriginalSize(TestImages.write(grey, "png", dir.resolve("grey16.png")));
        INDArray readRgb = ImageFiles.readOriginalSize(TestImages.write(rgb, "png", dir.resolve("rgb16.png")));

        assertEquals(0x8000 / 65535f, readGrey.getFloat(0, 2, 0, 0));
        assertEquals(1 / 65535f, readGrey.getFloat(0, 0, 0, 1));
        assertRgb(readRgb, 0, 0, 1000 / 65535f, 40000 / 65535f, 1f, 0f);
    }

    /** Transparency is composited over mid-grey 0.5. */
    @Test
    void compositesPngAlphaOverMidGrey() throws IOException {
        BufferedImage image = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, 0x00ff0000);
        image.setRGB(1, 0, 0xffff0000);
        image.setRGB(2, 0, 0x8000ff00);
        Path png = TestImages.write(image, "png", dir.resolve("alpha.png"));

        INDArray read = ImageFiles.readOriginalSize(png);

        float half = 128 / 255f;
        assertRgb(read, 0, 0, 0.5f, 0.5f, 0.5f, 0f);
        assertRgb(read, 0, 1, 1, 0, 0, 0f);
        assertRgb(read, 0, 2, (1 - half) * 0.5f, half + (1 - half) * 0.5f, (1 - half) * 0.5f, 1e-6f);
    }

    @Test
    void readsPalettePng() throws IOException {
        BufferedImage rgb = TestImages.redBlue(4, 2);
        BufferedImage indexed = new BufferedImage(4, 2, BufferedImage.TYPE_BYTE_INDEXED);
        indexed.setRGB(0, 0, 4, 2, rgb.getRGB(0, 0, 4, 2, null, 0, 4), 0, 4);
        Path png = TestImages.write(indexed, "png", dir.resolve("palette.png"));

        assertSamePixels(rgb, ImageFiles.toImage(ImageFiles.readOriginalSize(png)));
    }

    @Test
    void shrinkingKeepsLeftRedAndRightBlue() throws IOException {
        Path png = TestImages.write(TestImages.redBlue(16, 8), "png", dir.resolve("two.png"));

        INDArray read = ImageFiles.read(png, 5);

        assertArrayEquals(new long[] {1, 3, 5, 5}, read.shape());
        for (int y = 0; y < 5; y++) {
            assertRgb(read, y, 0, 1, 0, 0, 1e-6f);
            assertRgb(read, y, 1, 1, 0, 0, 1e-6f);
            assertRgb(read, y, 2, 0.5f, 0, 0.5f, 1e-6f);
            assertRgb(read, y, 3, 0, 0, 1, 1e-6f);
            assertRgb(read, y, 4, 0, 0, 1, 1e-6f);
        }
    }

    @Test
    void enlargingToHeightAndWidthKeepsLeftRedAndRightBlue() throws IOException {
        Path png = TestImages.write(TestImages.redBlue(4, 2), "png", dir.resolve("two.png"));

        INDArray read = ImageFiles.read(png, 3, 10);

        assertArrayEquals(new long[] {1, 3, 3, 10}, read.shape());
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 4; x++) {
                assertRgb(read, y, x, 1, 0, 0, 1e-6f);
                assertRgb(read, y, 9 - x, 0, 0, 1, 1e-6f);
            }
        }
        assertTrue(read.getFloat(0, 0, 1, 4) > 0.5f && read.getFloat(0, 2, 1, 5) > 0.5f, "the edge blends in between");
    }

    @Test
    void readingIsDeterministic() throws IOException {
        Path jpeg = TestImages.write(TestImages.randomRgb(13, 9, 7), "jpeg", dir.resolve("noise.jpg"));

        assertArrayEquals(ImageFiles.read(jpeg, 5, 6).data().asFloat(), ImageFiles.read(jpeg, 5, 6).data().asFloat());
    }

    private static BufferedImage noInkLeftCyanRight() {
        ComponentColorModel cmyk = new ComponentColorModel(ColorSpaces.getColorSpace(ColorSpaces.CS_GENERIC_CMYK),
                false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        WritableRaster raster = cmyk.createCompatibleWritableRaster(16, 16);
        for (int y = 0; y < 16; y++) {
            for (int x = 8; x < 16; x++) {
                raster.setSample(x, y, 0, 255);
            }
        }
        return new BufferedImage(cmyk, raster, false, null);
    }

    private static void assertNoInkLeftCyanRight(INDArray read) {
        assertArrayEquals(new long[] {1, 3, 16, 16}, read.shape());
        for (int c = 0; c < 3; c++) {
            assertTrue(read.getFloat(0, c, 8, 1) > 0.9f, "paper white on the left");
        }
        float red = read.getFloat(0, 0, 8, 14);
        float green = read.getFloat(0, 1, 8, 14);
        float blue = read.getFloat(0, 2, 8, 14);
        assertTrue(red < 0.25f && green > 0.4f && blue > 0.75f, "cyan on the right, got " + red + ", " + green + ", " + blue);
    }

    private static String adobeTransform(Path jpeg) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(jpeg.toFile())) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            IIOMetadata metadata = reader.getImageMetadata(0);
            Element tree = (Element) metadata.getAsTree(metadata.getNativeMetadataFormatName());
            return ((Element) tree.getElementsByTagName("app14Adobe").item(0)).getAttribute("transform");
        }
    }

    static void assertRgb(INDArray image, int y, int x, float red, float green, float blue, float tolerance) {
        float[] expected = {red, green, blue};
        for (int c = 0; c < 3; c++) {
            assertEquals(expected[c], image.getFloat(0, c, y, x), tolerance, "channel " + c + " at y=" + y + ", x=" + x);
        }
    }

    static void assertSamePixels(BufferedImage expected, BufferedImage actual) {
        assertEquals(expected.getWidth(), actual.getWidth());
        assertEquals(expected.getHeight(), actual.getHeight());
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                assertEquals(expected.getRGB(x, y) & 0xffffff, actual.getRGB(x, y) & 0xffffff, "pixel at x=" + x + ", y=" + y);
            }
        }
    }

    private static List<String> readerClasses(String format) {
        List<String> classes = new ArrayList<>();
        ImageIO.getImageReadersByFormatName(format).forEachRemaining(r -> classes.add(r.getClass().getName()));
        return classes;
    }
}
