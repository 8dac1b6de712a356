package featviz.compare;

import featviz.UsageException;
import featviz.io.ImageFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * An image as 8-bit sRGB levels, the unit every comparison metric works in: one packed
 * {@code 0xRRGGBB} int per pixel, row by row.
 *
 * @param width pixels per row
 * @param height rows
 * @param rgb {@code width * height} packed pixels; alpha bits, if any, are ignored
 */
public record RgbImage(int width, int height, int[] rgb) {
    public RgbImage {
        if (width < 1 || height < 1 || rgb.length != (long) width * height) {
            throw new IllegalArgumentException("an RgbImage of " + width + " x " + height + " needs "
                    + (long) width * height + " pixels, got " + rgb.length);
        }
    }

    /**
     * Reads any image featviz reads (PNG, JPEG, TIFF, ...) at its own size, the way featviz reads its inputs:
     * converted to sRGB, transparency composited over mid-grey, 16-bit samples rounded to 8 bits.
     * For the 8-bit RGB PNGs featviz writes the levels are exactly those in the file.
     *
     * @throws UsageException naming the file when it is missing, not an image or damaged
     */
    public static RgbImage read(Path path) {
        return of(ImageFiles.toImage(ImageFiles.readOriginalSize(path)));
    }

    public static RgbImage of(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] &= 0xffffff;
        }
        return new RgbImage(w, h, rgb);
    }

    public BufferedImage toBufferedImage() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, height, rgb, 0, width);
        return image;
    }

    /** Level 0-255 of channel {@code c} (0 red, 1 green, 2 blue) at pixel index {@code i}. */
    public int level(int i, int c) {
        return (rgb[i] >> (16 - 8 * c)) & 0xff;
    }

    public boolean sameSize(RgbImage other) {
        return width == other.width && height == other.height;
    }

    public String sizeText() {
        return width + "x" + height;
    }
}
