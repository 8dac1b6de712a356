package featviz.objective;

import featviz.UsageException;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One unit of one channel at one position: what a single neuron of a convolutional layer sees, as opposed
 * to {@link ChannelObjective}, which asks every position at once. Lucid's default is the centre position
 * (x = width / 2, y = height / 2), where the receptive field lies wholly inside the image.
 *
 * <p>The position is checked when the activation arrives: the spatial size depends on the image size,
 * which the objective does not know when it is built.
 */
public final class NeuronObjective extends LayerObjective {
    /** For x and y: the centre of the layer. */
    public static final int CENTRE = -1;

    private final long channel;
    private final int x;
    private final int y;

    /**
     * @param x column, or {@link #CENTRE}; must be given together with y
     * @param y row, or {@link #CENTRE}
     */
    public NeuronObjective(String layer, String displayLayer, long channel, int x, int y, int batchIndex) {
        super(layer, displayLayer, batchIndex);
        if ((x == CENTRE) != (y == CENTRE) || x < CENTRE || y < CENTRE) {
            throw new IllegalArgumentException("neuron position x=" + x + " y=" + y + ": give both, or neither");
        }
        this.channel = channel;
        this.x = x;
        this.y = y;
    }

    /** The centre neuron, for every image. */
    public NeuronObjective(String layer, String displayLayer, long channel) {
        this(layer, displayLayer, channel, CENTRE, CENTRE, Batch.ALL);
    }

    @Override
    public Evaluation evaluate(Map<String, INDArray> activations) {
        INDArray act = Batch.activation(activations, layer);
        int n = Batch.size(act, batchIndex);
        Batch.checkChannel(act, channel, displayLayer);
        long[] at = position(act);
        INDArray grad = Nd4j.zeros(act.dataType(), act.shape());
        // Read and written through views and a copy of the N values: getDouble and putScalar on the arrays
        // themselves would bring the whole activation to the host and back on the CUDA backend.
        INDArrayIndex[] where = new INDArrayIndex[at.length];
        where[0] = NDArrayIndex.all();
        for (int d = 1; d < at.length; d++) {
            where[d] = NDArrayIndex.point(at[d]);
        }
        double[] perImage = act.get(where).dup().reshape(act.size(0)).toDoubleVector();
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            if (Batch.selected(batchIndex, i)) {
                values[i] = perImage[i];
                where[0] = NDArrayIndex.point(i);
                grad.get(where).assign(1.0);
            }
        }
        return new Evaluation(values, Map.of(layer, grad));
    }

    /** The full index of the neuron with the image left at 0: NCHW for a convolution, NC for a dense layer. */
    private long[] position(INDArray act) {
        if (act.rank() == 2) {
            if (x != CENTRE) {
                throw new UsageException("neuron x,y given, but " + displayLayer + " is a dense layer with no positions");
            }
            return new long[] {0, channel};
        }
        if (act.rank() != 4) {
            throw new UsageException("neuron needs a convolutional or dense layer; " + displayLayer + " has rank "
                    + act.rank());
        }
        long h = act.size(2);
        long w = act.size(3);
        long col = x == CENTRE ? w / 2 : x;
        long row = y == CENTRE ? h / 2 : y;
        if (col >= w || row >= h) {
            throw new UsageException("neuron at x=" + col + ", y=" + row + " is outside " + displayLayer + ", which is "
                    + w + "x" + h + " (x 0-" + (w - 1) + ", y 0-" + (h - 1) + ") at this image size");
        }
        return new long[] {0, channel, row, col};
    }

    @Override
    public String describe() {
        String where = x == CENTRE ? "" : ", x=" + x + ", y=" + y;
        return "neuron(" + displayLayer + ", " + channel + where + Batch.describe(batchIndex) + ")";
    }
}
