package featviz.analysis;

import featviz.model.Labels;

import featviz.UsageException;
import featviz.model.ImageNetwork;
import featviz.model.VisionModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A model's class probabilities for pictures: the forward pass to its classifier output (the last vertex
 * no other vertex reads that outputs a vector), with a softmax applied when that layer has none of its own.
 */
public final class Predictor {
    /** One class of one image's top list. */
    public record Prediction(int index, String label, double probability) {
    }

    private final VisionModel model;
    private final Labels labels;
    private final String output;
    private final boolean softmaxApplied;
    private final int height;
    private final int width;
    private final ImageNetwork network;

    /**
     * @param labels the model's class names (index numbers are shown for classes it does not name)
     * @param height images are height x width pixels: the model's input size, since a dense head fixes it
     */
    public Predictor(VisionModel model, Labels labels, int height, int width) {
        this.model = model;
        this.labels = labels;
        this.height = height;
        this.width = width;
        this.output = model.outputLayerAt(height, width);
        if (output == null) {
            throw new UsageException(model.name() + " has no classifier output (no final layer outputs a vector of "
                    + "class scores); predict needs one");
        }
        var out = model.spec(height, width).vertex(output).layer();
        this.softmaxApplied = !(out instanceof BaseLayer b && b.getActivationFn() instanceof ActivationSoftmax);
        this.network = model.network(List.of(output), DataType.FLOAT, height, width);
    }

    /** The name of the output layer the probabilities come from. */
    public String outputLayer() {
        return model.displayName(output);
    }

    /** Whether the output layer has no softmax of its own, so featviz applies one to its values. */
    public boolean softmaxApplied() {
        return softmaxApplied;
    }

    public String modelName() {
        return model.name();
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Class probabilities of a batch [N, 3, height, width] (RGB in [0, 1]): [N, classes], DOUBLE. */
    public INDArray probabilities(INDArray images) {
        if (images.rank() != 4 || images.size(2) != height || images.size(3) != width) {
            throw new IllegalArgumentException("expected images [N, 3, " + height + ", " + width + "], got "
                    + Arrays.toString(images.shape()));
        }
        try {
            INDArray scores = network.forward(images).get(output).castTo(DataType.DOUBLE);
            scores = scores.reshape(scores.size(0), scores.length() / scores.size(0));
            return softmaxApplied ? Transforms.softmax(scores, true) : scores.dup();
        } finally {
            network.clear();
        }
    }

    /** The {@code top} most probable classes of each image of the batch, most probable first. */
    public List<List<Prediction>> predict(INDArray images, int top) {
        INDArray p = probabilities(images);
        List<List<Prediction>> result = new ArrayList<>();
        for (int i = 0; i < p.size(0); i++) {
            result.add(top(p.getRow(i).toDoubleVector(), top));
        }
        return result;
    }

    /** The index of the most probable class of each image: what an accuracy test compares with labels. */
    public int[] classes(INDArray images) {
        INDArray p = probabilities(images);
        int[] classes = new int[(int) p.size(0)];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = p.getRow(i).argMax().getInt(0);
        }
        return classes;
    }

    private List<Prediction> top(double[] p, int k) {
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < p.length; i++) {
            order[i] = i;
        }
        // Highest first; ties by class index, so the order never depends on the sort.
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -p[i]).thenComparingInt(i -> i));
        List<Prediction> list = new ArrayList<>();
        for (int i = 0; i < Math.min(k, p.length); i++) {
            list.add(new Prediction(order[i], labels.name(order[i]), p[order[i]]));
        }
        return list;
    }
}
