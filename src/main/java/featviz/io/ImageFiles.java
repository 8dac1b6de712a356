package featviz.io;

import featviz.UsageException;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * Image files and BufferedImages to and from the tensors featviz works on: FLOAT, values in [0, 1],
 * channel-first, shape [1, C, height, width], C = 3 (RGB) unless asked for 1 (grey: the BT.601 luma of
 * the RGB), 2 (grey and alpha) or 4 (RGB and alpha, for 4-channel models).
 *
 * <p>Reads whatever ImageIO and the TwelveMonkeys plugins read: JPEG (also CMYK and YCCK), PNG
 * (also 16-bit, grey, palette), TIFF, BMP, GIF, WebP, PSD; the first image of a multi-image file.
 * Colours are converted to sRGB; for 1 and 3 channels transparency is composited over mid-grey (0.5),
 * the neutral centre of the input range; 2 and 4 channels keep the alpha as their last channel. EXIF orientation is not applied: pixels are used as stored.
 */
public final class ImageFiles {
    private ImageFiles() {
    }

    /**
     * The image resized to size x size, the aspect ratio not kept (crop first if it matters).
     *
     * @throws UsageException naming the file when it is missing, not an image or damaged
     */
    public static INDArray read(Path path, int size) {
        return read(path, size, size);
    }

    /**
     * The image resized to height x width: area averaging when shrinking, linear interpolation when
     * enlarging, deterministic.
     *
     * @throws UsageException naming the file when it is missing, not an image or damaged
     * @throws IllegalArgumentException when a size is below 1
     */
    public static INDArray read(Path path, int height, int width) {
        return read(path, height, width, 3);
    }

    /**
     * The image as {@code channels} channels (see the class comment), resized to height x width.
     *
     * @throws UsageException naming the file when it is missing, not an image or damaged
     * @throws IllegalArgumentException when a size is below 1 or the channels are not 1 to 4
     */
    public static INDArray read(Path path, int height, int width, int channels) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("image size must be at least 1 x 1, got " + height + " x " + width);
        }
        checkChannels(channels);
        Planes original = ImagePixels.toPlanes(ImageDecoder.decode(path), channels);
        return Resampler.resize(original, height, width).toBatch();
    }

    /**
     * The image's own {width, height}, read from its header.
     *
     * @throws UsageException naming the file when it is missing, not an image or damaged
     */
    public static int[] dimensions(Path path) {
        return ImageDecoder.dimensions(path);
    }

    /**
     * The image at its own size, shape [1, 3, its height, its width].
     *
     * @throws UsageException naming the file when it is missing, not an image or damaged
     */
    public static INDArray readOriginalSize(Path path) {
        return readOriginalSize(path, 3);
    }

    /** The image at its own size as {@code channels} channels, shape [1, channels, its height, its width]. */
    public static INDArray readOriginalSize(Path path, int channels) {
        checkChannels(channels);
        return ImagePixels.toPlanes(ImageDecoder.decode(path), channels).toBatch();
    }

    /**
     * An 8-bit image of a [C, H, W] image or of the first image of an [N, C, H, W] batch, in the layout
     * its channels say: C = 1 grey (TYPE_BYTE_GRAY), 2 grey+alpha, 3 RGB (TYPE_INT_RGB), 4 RGBA (not
     * premultiplied). PNG keeps each layout. Each value is clipped to [0, 1], NaN counts as 0, and the
     * 8-bit level is {@code round(v * 255)}.
     *
     * @throws IllegalArgumentException for any other shape
     */
    public static BufferedImage toImage(INDArray image) {
        return ImagePixels.toImage(Planes.fromTensor(image));
    }

    /**
     * A TYPE_INT_RGB image for showing (contact sheets, GIF frames): grey is copied to R, G and B, alpha
     * composited over mid-grey.
     */
    public static BufferedImage toRgbImage(INDArray image) {
        return ImagePixels.toImage(Planes.fromTensor(image).toRgb(ImagePixels.BACKGROUND));
    }

    /**
     * The image as [1, 3, H, W] FLOAT in [0, 1]: for 8-bit sRGB, level / 255, the inverse of
     * {@link #toImage}; other colour models are converted to sRGB, transparency composited over 0.5.
     */
    public static INDArray toArray(BufferedImage image) {
        return toArray(image, 3);
    }

    /** The image as [1, channels, H, W] FLOAT in [0, 1], the inverse of {@link #toImage} for its own layout. */
    public static INDArray toArray(BufferedImage image, int channels) {
        checkChannels(channels);
        return ImagePixels.toPlanes(image, channels).toBatch();
    }

    /**
     * Whether featviz can read and write images of {@code channels} channels: 1 to 4, the pixel layouts
     * PNG has (grey, grey+alpha, RGB, RGBA).
     *
     * @throws UsageException otherwise
     */
    public static void checkChannels(long channels) {
        if (channels < 1 || channels > 4) {
            throw new UsageException("featviz reads and writes images of 1 to 4 channels (grey, grey+alpha, RGB,"
                    + " RGBA, as PNG has them); this model takes " + channels);
        }
    }
}
