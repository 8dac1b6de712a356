package featviz.io;

import featviz.UsageException;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * Image files and BufferedImages to and from the tensors featviz works on: FLOAT, RGB, values in
 * [0, 1], channel-first, shape [1, 3, height, width].
 *
 * <p>Reads whatever ImageIO and the TwelveMonkeys plugins read: JPEG (also CMYK and YCCK), PNG
 * (also 16-bit, grey, palette), TIFF, BMP, GIF, WebP, PSD; the first image of a multi-image file.
 * Colours are converted to sRGB; transparency is composited over mid-grey (0.5), the neutral centre
 * of the input range. EXIF orientation is not applied: pixels are used as stored.
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
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("image size must be at least 1 x 1, got " + height + " x " + width);
        }
        RgbPlanes original = ImagePixels.toPlanes(ImageDecoder.decode(path));
        return Resampler.resize(original, height, width).toBatch();
    }

    /**
     * The image at its own size, shape [1, 3, its height, its width].
     *
     * @throws UsageException naming the file when it is missing, not an image or damaged
     */
    public static INDArray readOriginalSize(Path path) {
        return ImagePixels.toPlanes(ImageDecoder.decode(path)).toBatch();
    }

    /**
     * A TYPE_INT_RGB image of a [3, H, W] image or of the first image of an [N, 3, H, W] batch
     * (1 channel instead of 3 is shown as grey). Each value is clipped to [0, 1], NaN counts as 0,
     * and the 8-bit level is {@code round(v * 255)}.
     *
     * @throws IllegalArgumentException for any other shape
     */
    public static BufferedImage toImage(INDArray image) {
        return ImagePixels.toImage(RgbPlanes.fromTensor(image));
    }

    /**
     * The image as [1, 3, H, W] FLOAT in [0, 1]: for 8-bit sRGB, level / 255, the inverse of
     * {@link #toImage}; other colour models are converted to sRGB, transparency composited over 0.5.
     */
    public static INDArray toArray(BufferedImage image) {
        return ImagePixels.toPlanes(image).toBatch();
    }
}
