package featviz.io;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An image file read once, with the channel count it was stored with (1 grey, 2 grey+alpha, 3 colour,
 * 4 colour+alpha) besides its pixels as asked for: statistics over a user's images (MACO's mean spectrum)
 * must not silently mix grey and colour files.
 */
public final class SourceImage {
    private final int storedChannels;
    private final INDArray pixels;

    private SourceImage(int storedChannels, INDArray pixels) {
        this.storedChannels = storedChannels;
        this.pixels = pixels;
    }

    /**
     * @throws featviz.UsageException naming the file when it is missing, not an image or damaged
     */
    public static SourceImage read(Path path, int height, int width, int channels) {
        ImageFiles.checkChannels(channels);
        BufferedImage image = ImageDecoder.decode(path);
        Planes planes = ImagePixels.toPlanes(image, channels);
        return new SourceImage(image.getColorModel().getNumComponents(),
                Resampler.resize(planes, height, width).toBatch());
    }

    /** Channels as stored in the file (a palette image counts its palette's components). */
    public int storedChannels() {
        return storedChannels;
    }

    /** [1, channels, height, width] in [0, 1]. */
    public INDArray pixels() {
        return pixels;
    }
}
