package featviz.transform;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A bilinear resize to a fixed size, with its exact adjoint. The render loop puts it after the random
 * transforms when the network takes one input size only (a dense layer after a flatten, as in VGG19's
 * fc1 and predictions), since padding, jitter and scaling change the size.
 */
public final class ResizeTo implements Transform {
    private final int height;
    private final int width;
    private Sampler sampler;

    public ResizeTo(int height, int width) {
        this.height = height;
        this.width = width;
    }

    @Override
    public INDArray forward(INDArray image, SplittableRandom random) {
        if (image.size(2) == height && image.size(3) == width) {
            sampler = null;
            return image;
        }
        sampler = Sampler.resize(image.shape(), height, width);
        return sampler.gather(image);
    }

    @Override
    public INDArray backward(INDArray gradOutput) {
        return sampler == null ? gradOutput : sampler.scatter(gradOutput);
    }

    @Override
    public String describe() {
        return "resize:" + height + "x" + width;
    }
}
