package featviz.dataset;

import java.io.IOException;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Grayscale images with one class label each, from an IDX image file (count, rows, columns) and an IDX label
 * file (count). Batches come out as featviz's {@code unit} preprocessing sees them: NCHW, one channel,
 * pixel / 255 in [0, 1].
 */
public final class LabeledImages {
    private final byte[] pixels;
    private final byte[] labels;
    private final int count;
    private final int rows;
    private final int cols;

    private LabeledImages(byte[] pixels, byte[] labels, int count, int rows, int cols) {
        this.pixels = pixels;
        this.labels = labels;
        this.count = count;
        this.rows = rows;
        this.cols = cols;
    }

    public static LabeledImages of(Idx images, Idx labels) throws IOException {
        if (images.dims().length != 3 || labels.dims().length != 1) {
            throw new IOException("expected images of 3 dimensions and labels of 1, got "
                    + Arrays.toString(images.dims()) + " and " + Arrays.toString(labels.dims()));
        }
        if (images.dims()[0] != labels.dims()[0]) {
            throw new IOException(images.dims()[0] + " images but " + labels.dims()[0] + " labels");
        }
        return new LabeledImages(images.data(), labels.data(), images.dims()[0], images.dims()[1], images.dims()[2]);
    }

    public int size() {
        return count;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int label(int i) {
        return labels[i] & 0xFF;
    }

    /** Pixel (row, col) of image i in [0, 255]. */
    public int pixel(int i, int row, int col) {
        return pixels[(i * rows + row) * cols + col] & 0xFF;
    }

    /** Images [from, to) as a [n, 1, rows, cols] array of the given type, pixel / 255. */
    public INDArray batch(int from, int to, DataType type) {
        int[] order = new int[to - from];
        Arrays.setAll(order, k -> from + k);
        return batch(order, type);
    }

    /** The images with these indices, in this order, as a [n, 1, rows, cols] array, pixel / 255. */
    public INDArray batch(int[] indices, DataType type) {
        int plane = rows * cols;
        float[] values = new float[indices.length * plane];
        for (int k = 0; k < indices.length; k++) {
            int base = indices[k] * plane;
            for (int p = 0; p < plane; p++) {
                values[k * plane + p] = (pixels[base + p] & 0xFF) / 255f;
            }
        }
        INDArray out = Nd4j.create(values, new long[] {indices.length, 1, rows, cols}, 'c');
        return type == DataType.FLOAT ? out : out.castTo(type);
    }

    /** One-hot labels [n, classes] for these indices. */
    public INDArray oneHot(int[] indices, int classes, DataType type) {
        INDArray out = Nd4j.zeros(type, indices.length, classes);
        for (int k = 0; k < indices.length; k++) {
            out.putScalar(k, label(indices[k]), 1.0);
        }
        return out;
    }
}
