package featviz.job;

import featviz.io.ImageFiles;
import featviz.io.PngWriter;
import featviz.render.RenderResult;
import featviz.render.Transparency;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * How one image of a render becomes files: the PNG, with the transparency as its alpha channel when asked
 * ({@code --alpha}), and the transparency as a heat map beside it when asked ({@code --transparency}).
 *
 * @param alpha write the transparency as the image's alpha channel
 * @param heatMap write the transparency as a heat map, {@link #heatMapFile} of the image unless told otherwise
 */
public record ImageOutput(boolean alpha, boolean heatMap) {
    public static final ImageOutput PLAIN = new ImageOutput(false, false);

    /** Whether the renderer must accumulate the transparency. */
    public boolean needsTransparency() {
        return alpha || heatMap;
    }

    /** Where the heat map of {@code image} goes by default: {@code NAME_transparency.png} beside it. */
    public static Path heatMapFile(Path image) {
        String name = image.getFileName().toString();
        int dot = name.toLowerCase(Locale.ROOT).endsWith(".png") ? name.length() - 4 : name.length();
        return image.resolveSibling(name.substring(0, dot) + "_transparency.png");
    }

    /**
     * Writes image {@code b} of {@code result} to {@code target} (and its heat map to {@code heatTarget}, or
     * beside it when that is null). Returns the heat map's path, or null when none was written.
     */
    public Path write(RenderResult result, int b, Path target, Path heatTarget, Map<String, String> provenance) {
        INDArray image = one(result.image(), b);
        INDArray opacity = !needsTransparency() ? null : result.transparency() != null
                ? Transparency.opacity(result.transparency(), b)
                : org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 1, image.size(2), image.size(3));
        PngWriter.write(ImageFiles.toImage(alpha ? Transparency.withAlpha(image, opacity) : image), target, provenance);
        if (!heatMap) {
            return null;
        }
        Path heat = heatTarget != null ? heatTarget : heatMapFile(target);
        PngWriter.write(Transparency.heatMap(opacity), heat, provenance);
        return heat;
    }

    private static INDArray one(INDArray images, int b) {
        return images.get(NDArrayIndex.point(b)).reshape(1, images.size(1), images.size(2), images.size(3));
    }
}
