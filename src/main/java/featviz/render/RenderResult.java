package featviz.render;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a render produced: the final images [N, 3, H, W] in [0, 1], the objective of each image at the
 * first and the last step, and the time a step took.
 */
public record RenderResult(INDArray image, double[] firstObjective, double[] lastObjective, int steps,
                           double secondsPerStep) {
}
