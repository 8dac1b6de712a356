package featviz.objective;

import featviz.model.ImageNetwork;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A penalty on the image itself (read under {@link ImageNetwork#IMAGE}, values in [0, 1], [N, C, H, W]),
 * already signed as a penalty: its value is MINUS a measure of the image, so an expression adds it with a
 * positive weight ({@code block4_conv1:47 + 0.05*tv}) the same way it adds {@link DiversityObjective}.
 * (Lucid's penalties are positive and subtracted; the weights carry over, the sign does not.)
 *
 * <p>The measure is a mean over the image's C*H*W values, not Lucid's sum, so that one weight means the
 * same at 128 and at 512 pixels.
 */
abstract class ImagePenalty implements Objective {
    private final int batchIndex;

    ImagePenalty(int batchIndex) {
        this.batchIndex = Batch.checkIndex(batchIndex);
    }

    /** The measure summed over each image, and its gradient; both before the minus sign and the mean. */
    record Measure(double[] sums, INDArray gradient) {
    }

    abstract Measure measure(INDArray image);

    /** The name in the expression language, and any setting, e.g. {@code tv} or {@code l1(0.5)}. */
    abstract String name();

    @Override
    public final Set<String> layers() {
        return Set.of(ImageNetwork.IMAGE);
    }

    @Override
    public final Evaluation evaluate(Map<String, INDArray> activations) {
        INDArray image = Batch.activation(activations, ImageNetwork.IMAGE);
        Batch.size(image, batchIndex);
        double scale = -1.0 / Batch.perImage(image);
        Measure m = measure(image);
        double[] values = m.sums().clone();
        for (int i = 0; i < values.length; i++) {
            values[i] *= scale;
        }
        INDArray grad = m.gradient().muli(scale);
        Batch.keepSelected(batchIndex, values, grad);
        return new Evaluation(values, Map.of(ImageNetwork.IMAGE, grad));
    }

    @Override
    public final String describe() {
        String name = name();
        if (batchIndex == Batch.ALL) {
            return name;
        }
        return name.endsWith(")") ? name.substring(0, name.length() - 1) + Batch.describe(batchIndex) + ")"
                : name + "(" + Batch.describe(batchIndex).substring(2) + ")";
    }
}
