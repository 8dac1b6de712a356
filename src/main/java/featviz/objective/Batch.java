package featviz.objective;

import featviz.UsageException;
import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What every objective does the same way: find its activation, honour the optional batch index (-1 = every
 * image), and zero what belongs to the images it does not score. Values are per image so that the render
 * loop can report each image of a batch; the gradient is always that of the sum of the values.
 */
final class Batch {
    static final int ALL = -1;

    private Batch() {
    }

    /** Rejects batch indices below -1 when an objective is built, not later in the render loop. */
    static int checkIndex(int batchIndex) {
        if (batchIndex < ALL) {
            throw new IllegalArgumentException("batch index " + batchIndex + " (use -1 for every image)");
        }
        return batchIndex;
    }

    /** The activation of {@code vertex}; a missing one is a wiring bug (the caller truncated the network wrongly). */
    static INDArray activation(Map<String, INDArray> activations, String vertex) {
        INDArray act = activations.get(vertex);
        if (act == null) {
            throw new IllegalArgumentException("no activation for vertex " + vertex + " among " + activations.keySet());
        }
        return act;
    }

    /** The batch size, after checking that the batch index falls inside it (a user can ask for image 3 of 2). */
    static int size(INDArray act, int batchIndex) {
        int n = Math.toIntExact(act.size(0));
        if (batchIndex >= n) {
            throw new UsageException("batch index " + batchIndex + " is out of range for a batch of " + n
                    + (n == 1 ? " image" : " images"));
        }
        return n;
    }

    static boolean selected(int batchIndex, int image) {
        return batchIndex == ALL || batchIndex == image;
    }

    /** A channel (or unit) index against the activation's actual size, for objectives built outside the parser. */
    static void checkChannel(INDArray act, long channel, String displayLayer) {
        if (act.rank() < 2 || channel < 0 || channel >= act.size(1)) {
            throw new UsageException("index " + channel + " is out of range: " + displayLayer + " has "
                    + (act.rank() < 2 ? 0 : act.size(1)) + " channels");
        }
    }

    /** Number of values one image holds after the batch dimension (channels times positions). */
    static long perImage(INDArray act) {
        return act.length() / act.size(0);
    }

    /** Number of positions a channel has (1 for a dense layer). */
    static long positions(INDArray act) {
        return act.length() / (act.size(0) * act.size(1));
    }

    /**
     * Zeros the values and the gradient of the images the batch index leaves out, for objectives that are
     * cheapest to compute on the whole batch at once.
     */
    static void keepSelected(int batchIndex, double[] values, INDArray grad) {
        if (batchIndex == ALL) {
            return;
        }
        for (int i = 0; i < values.length; i++) {
            if (i != batchIndex) {
                values[i] = 0;
                imageOf(grad, i).assign(0);
            }
        }
    }

    /** The view of one image of a batch, rank kept minus the batch dimension. */
    static INDArray imageOf(INDArray array, int image) {
        INDArrayIndex[] idx = new INDArrayIndex[array.rank()];
        Arrays.fill(idx, NDArrayIndex.all());
        idx[0] = NDArrayIndex.point(image);
        return array.get(idx);
    }

    /** Sums each image's values: [N, ...] to N doubles. */
    static double[] sumPerImage(INDArray array) {
        return array.reshape(array.size(0), perImage(array)).sum(1).toDoubleVector();
    }

    /** ", batch=2" for descriptions, nothing when every image is scored. */
    static String describe(int batchIndex) {
        return batchIndex == ALL ? "" : ", batch=" + batchIndex;
    }
}
