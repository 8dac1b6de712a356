package featviz.param;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How the optimised parameters become an image (Lucid's second idea). The optimiser changes
 * {@link #parameters()} in place; {@link #image()} is the picture they stand for: [N, 3, H, W], RGB, [0, 1].
 */
public interface ImageParam {

    INDArray parameters();

    INDArray image();

    /** d objective / d parameters from d objective / d image. */
    INDArray backward(INDArray gradImage);

    /** Called after each optimiser step, e.g. to keep pixels in range. */
    default void afterStep() {
    }

    String describe();
}
