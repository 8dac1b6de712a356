package featviz.analysis;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * For each chosen channel of a layer, the K images of a dataset that activate it most, as OpenAI Microscope
 * shows them: an image's activation is the channel's largest value over all positions (its strongest
 * response anywhere in the picture), and that position is where its crop is centred. Images stream through
 * in batches; each channel keeps only its current K best, so memory does not grow with the dataset.
 */
public final class DatasetExamples {
    /** One example: the image, its activation (the channel's spatial maximum) and where it is, in the layer's grid. */
    public record Example(Path file, long order, double activation, int row, int col, int gridHeight, int gridWidth) {
    }

    /** Highest activation first; equal ones in the order the images came (the file order). */
    static final Comparator<Example> BEST_FIRST = Comparator.comparingDouble((Example e) -> -e.activation())
            .thenComparingLong(Example::order);

    private final LayerActivations layer;
    private final long[] channels;
    private final int k;
    private final List<BestK<Example>> best = new ArrayList<>(); // per channel
    private long seen;

    /** @throws featviz.UsageException when the layer has no spatial positions */
    public DatasetExamples(LayerActivations layer, List<Long> channels, int k) {
        layer.requireSpatial("dataset examples");
        this.layer = layer;
        this.channels = channels.stream().mapToLong(Long::longValue).toArray();
        this.k = k;
        for (int i = 0; i < this.channels.length; i++) {
            best.add(new BestK<>(k, BEST_FIRST));
        }
    }

    /** Runs a batch [N, 3, size, size] (RGB in [0, 1]) and keeps what ranks among each channel's best. */
    public void add(List<Path> files, INDArray images) {
        INDArray maps = layer.maps(images);
        long h = maps.size(2);
        long w = maps.size(3);
        for (int ci = 0; ci < channels.length; ci++) {
            INDArray plane = maps.get(NDArrayIndex.all(), NDArrayIndex.point(channels[ci]), NDArrayIndex.all(),
                    NDArrayIndex.all()).reshape(maps.size(0), h * w).castTo(DataType.DOUBLE);
            double[][] values = plane.toDoubleMatrix();
            featviz.model.op.Memory.release(plane);
            for (int n = 0; n < values.length; n++) {
                int arg = 0;
                for (int p = 1; p < values[n].length; p++) {
                    if (values[n][p] > values[n][arg]) {
                        arg = p;
                    }
                }
                Example e = new Example(files.get(n), seen + n, values[n][arg], (int) (arg / w), (int) (arg % w),
                        (int) h, (int) w);
                best.get(ci).offer(e);
            }
        }
        seen += files.size();
        featviz.model.op.Memory.release(maps);
    }

    /** Images run so far. */
    public long seen() {
        return seen;
    }

    /** Per channel, its best K (fewer if fewer images were seen), best first. */
    public Map<Long, List<Example>> result() {
        Map<Long, List<Example>> result = new LinkedHashMap<>();
        for (int ci = 0; ci < channels.length; ci++) {
            result.put(channels[ci], best.get(ci).bestFirst());
        }
        return result;
    }

    /**
     * The square crop of an image [1, 3, H, W] of side {@code side} pixels centred on the middle of grid cell
     * (row, col) of a gridHeight x gridWidth layer, moved inside the image where it would cross an edge.
     */
    public static INDArray crop(INDArray image, Example e, int side) {
        long height = image.size(2);
        long width = image.size(3);
        int sh = (int) Math.min(side, height);
        int sw = (int) Math.min(side, width);
        long cy = Math.round((e.row() + 0.5) * height / e.gridHeight());
        long cx = Math.round((e.col() + 0.5) * width / e.gridWidth());
        long top = Math.max(0, Math.min(height - sh, cy - sh / 2));
        long left = Math.max(0, Math.min(width - sw, cx - sw / 2));
        return image.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(top, top + sh),
                NDArrayIndex.interval(left, left + sw)).dup();
    }
}
