package featviz.param;

import featviz.UsageException;
import featviz.analysis.ImageDirectory;
import featviz.io.SourceImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code --spectrum-from DIR}: the mean magnitude spectrum of the user's own images, for MACO on another domain
 * (grey, medical, satellite...) than ImageNet's photos. Each image is read at the render size in the model's
 * channels (grey: the luma), so the spectrum needs no resizing.
 */
public final class SpectrumDirectory {
    private SpectrumDirectory() {
    }

    /**
     * Files that are no image are skipped (a README among photos is common), but at least one must be; grey and
     * colour files must not be mixed: their average spectrum would describe neither.
     *
     * @param decorrelate take colour images into Lucid's decorrelated space first (where the default spectrum is)
     */
    public static Spectrum read(Path dir, int size, int channels, boolean decorrelate) {
        List<Path> files = ImageDirectory.files(dir);
        List<INDArray> images = new ArrayList<>();
        Path firstGrey = null;
        Path firstColour = null;
        for (Path file : files) {
            SourceImage image;
            try {
                image = SourceImage.read(file, size, size, channels);
            } catch (UsageException notAnImage) {
                continue;
            }
            if (image.storedChannels() <= 2) {
                firstGrey = firstGrey == null ? file : firstGrey;
            } else {
                firstColour = firstColour == null ? file : firstColour;
            }
            if (firstGrey != null && firstColour != null) {
                throw new UsageException("--spectrum-from " + dir + " mixes grey and colour images (" + firstGrey.getFileName()
                        + " is grey, " + firstColour.getFileName() + " colour): give images of one kind");
            }
            images.add(image.pixels());
        }
        if (images.isEmpty()) {
            throw new UsageException("--spectrum-from " + dir + " holds no readable image (" + files.size() + " file"
                    + (files.size() == 1 ? "" : "s") + ", none an image featviz can read)");
        }
        return Spectrum.meanOf(images, decorrelate);
    }
}
