package featviz.io;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;

import static featviz.io.ImageFilesReadTest.assertRgb;
import static featviz.io.ImageFilesReadTest.assertSamePixels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** ImageFiles.toImage and toArray: clipping, rounding, shapes, and exact inverses for 8-bit sRGB. */
class ImageFilesConversionTest {
    @Test
    void toImageClipsAndRoundsEachValue() {
        float[] values = {
                -0.5f, 0f, 0.5f, 1.7f,                    // red
                Float.NaN, 1 / 255f, 0.998f, 1f,           // green
                127.5f / 255f, 127.49f / 255f, 0.2f, 2f    // blue
        };
        INDArray chw = Nd4j.create(values, new long[] {3, 1, 4}, 'c');

        BufferedImage image = ImageFiles.toImage(chw);

        assertEquals(BufferedImage.TYPE_INT_RGB, image.getType());
        int[][] expected = {{0, 0, 128}, {0, 1, 127}, {128, 254, 51}, {255, 255, 255}};
        for (int x = 0; x < 4; x++) {
            int pixel = image.getRGB(x, 0);
            assertArrayEquals(expected[x], new int[] {pixel >> 16 & 0xff, pixel >> 8 & 0xff, pixel & 0xff}, "x=" + x);
        }
    }

    @Test
    void toImageOfBatchShowsTheFirstImage() {
        INDArray batch = Nd4j.zeros(DataType.DOUBLE, 2, 3, 1, 2);
        batch.putScalar(new long[] {0, 0, 0, 1}, 1.0);
        batch.putScalar(new long[] {1, 2, 0, 0}, 1.0);

        BufferedImage image = ImageFiles.toImage(batch);

        assertEquals(0x000000, image.getRGB(0, 0) & 0xffffff);
        assertEquals(0xff0000, image.getRGB(1, 0) & 0xffffff);
    }

    @Test
    void toImageWritesOneChannelAsAGreyImage() {
        BufferedImage image = ImageFiles.toImage(Nd4j.create(new float[] {0.5f}, new long[] {1, 1, 1}, 'c'));

        assertEquals(BufferedImage.TYPE_BYTE_GRAY, image.getType());
        assertEquals(128, image.getRaster().getSample(0, 0, 0));
        assertEquals(0x808080, ImageFiles.toRgbImage(Nd4j.create(new float[] {0.5f}, new long[] {1, 1, 1}, 'c'))
                .getRGB(0, 0) & 0xffffff);
    }

    @Test
    void toImageRejectsOtherShapes() {
        assertThrows(IllegalArgumentException.class, () -> ImageFiles.toImage(Nd4j.zeros(DataType.FLOAT, 5, 2, 2)));
        assertThrows(IllegalArgumentException.class, () -> ImageFiles.toImage(Nd4j.zeros(DataType.FLOAT, 2, 2)));
    }

    @Test
    void toArrayIsTheInverseOfToImage() {
        BufferedImage original = TestImages.randomRgb(9, 4, 11);

        INDArray array = ImageFiles.toArray(original);

        assertArrayEquals(new long[] {1, 3, 4, 9}, array.shape());
        assertEquals(DataType.FLOAT, array.dataType());
        int pixel = original.getRGB(5, 3);
        assertRgb(array, 3, 5, (pixel >> 16 & 0xff) / 255f, (pixel >> 8 & 0xff) / 255f, (pixel & 0xff) / 255f, 0f);
        assertSamePixels(original, ImageFiles.toImage(array));
    }

    @Test
    void toArrayTakesJavaGreyAsEncodedLevels() {
        BufferedImage grey = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(0, 0, 0, 128);

        assertRgb(ImageFiles.toArray(grey), 0, 0, 128 / 255f, 128 / 255f, 128 / 255f, 0f);
    }

    /** Colour spaces other than sRGB are converted: linear 0.5 is about sRGB 0.735. */
    @Test
    void toArrayConvertsOtherColourSpacesToSrgb() {
        ComponentColorModel linear = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_LINEAR_RGB),
                false, false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = linear.createCompatibleWritableRaster(1, 1);
        raster.setPixel(0, 0, new int[] {0, 32768, 65535});

        assertRgb(ImageFiles.toArray(new BufferedImage(linear, raster, false, null)), 0, 0, 0f, 0.735f, 1f, 0.01f);
    }
}
