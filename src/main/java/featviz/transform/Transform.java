package featviz.transform;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A random, differentiable change of the image before the network sees it (Lucid's third idea:
 * transformation robustness). Each step draws new random parameters from the render loop's seeded
 * generator; {@link #backward} is the exact adjoint of the last {@link #forward}.
 */
public interface Transform {

    /** Images [N, C, H, W] to transformed images (the size may change). */
    INDArray forward(INDArray image, SplittableRandom random);

    /** The adjoint of the last forward: gradient w.r.t. its output to gradient w.r.t. its input. */
    INDArray backward(INDArray gradOutput);

    String describe();
}
