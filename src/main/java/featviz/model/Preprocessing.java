package featviz.model;

import featviz.UsageException;
import java.util.Arrays;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * How an image with values in [0, 1] becomes a network's input: a channel reordering followed by a
 * per-channel scale and shift. It is part of the differentiable path, so what featviz optimises is always
 * a plain picture whatever the network expects.
 *
 * <p>The image has as many channels as the network takes. {@link #UNIT} passes any number through; the
 * others are ImageNet's conventions for RGB and take 3 channels only ({@link #check}).
 */
public enum Preprocessing {
    /** Keras/Caffe "caffe" mode, which DL4J's zoo weights expect: BGR order, 0-255, ImageNet means subtracted. */
    CAFFE(new int[] {2, 1, 0}, new double[] {255, 255, 255}, new double[] {-103.939, -116.779, -123.68}),
    /** RGB in [0, 1], unchanged: DL4J's ImagePreProcessingScaler default. */
    UNIT(new int[] {0, 1, 2}, new double[] {1, 1, 1}, new double[] {0, 0, 0}),
    /** PyTorch/torchvision: RGB in [0, 1] minus the ImageNet mean, divided by its standard deviation. */
    TORCH(new int[] {0, 1, 2}, new double[] {1 / 0.229, 1 / 0.224, 1 / 0.225},
            new double[] {-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225}),
    /** TensorFlow/Inception "tf" mode: RGB in [-1, 1]. */
    TF(new int[] {0, 1, 2}, new double[] {2, 2, 2}, new double[] {-1, -1, -1});

    private final int[] sourceChannel; // output channel c reads input channel sourceChannel[c]
    private final double[] scale;
    private final double[] shift;

    Preprocessing(int[] sourceChannel, double[] scale, double[] shift) {
        this.sourceChannel = sourceChannel;
        this.scale = scale;
        this.shift = shift;
    }

    public static Preprocessing parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("unknown preprocessing '" + name + "': expected one of "
                    + Arrays.toString(values()).toLowerCase(Locale.ROOT));
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Whether this preprocessing can feed a network of {@code channels} input channels.
     *
     * @throws UsageException in one line when it cannot (caffe, torch and tf are ImageNet's RGB conventions)
     */
    public void check(long channels) {
        if (this != UNIT && channels != 3) {
            throw new UsageException("--preprocess " + label() + " is ImageNet's convention for 3-channel RGB"
                    + " input, but this model takes " + channels + " channel" + (channels == 1 ? "" : "s")
                    + "; use --preprocess unit");
        }
    }

    /** Image [N, C, H, W] ([0, 1], RGB when C = 3) to network input. */
    public INDArray forward(INDArray image, long networkChannels) {
        checkShape(image, networkChannels);
        if (this == UNIT) {
            return image.dup();
        }
        check(networkChannels);
        INDArray out = Nd4j.createUninitialized(image.dataType(), image.shape());
        for (int c = 0; c < 3; c++) {
            channel(out, c).assign(channel(image, sourceChannel[c]).mul(scale[c]).addi(shift[c]));
        }
        return out;
    }

    /** Gradient with respect to the network input back to the gradient with respect to the image. */
    public INDArray backward(INDArray gradInput, long networkChannels) {
        checkShape(gradInput, networkChannels);
        if (this == UNIT) {
            return gradInput.dup();
        }
        INDArray out = Nd4j.createUninitialized(gradInput.dataType(), gradInput.shape());
        for (int c = 0; c < 3; c++) {
            channel(out, sourceChannel[c]).assign(channel(gradInput, c).mul(scale[c]));
        }
        return out;
    }

    private static void checkShape(INDArray x, long channels) {
        if (x.rank() != 4 || x.size(1) != channels) {
            throw new IllegalArgumentException("expected images [N, " + channels + ", H, W], got "
                    + Arrays.toString(x.shape()));
        }
    }

    private static INDArray channel(INDArray x, int c) {
        return x.get(NDArrayIndex.all(), NDArrayIndex.point(c), NDArrayIndex.all(), NDArrayIndex.all());
    }
}
