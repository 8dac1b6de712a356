package featviz.render;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a render produced: the final images [N, C, H, W] in [0, 1], the objective of each image at the first
 * and the last step, and the time a step took; the best objective of each image over the steps; and, when the
 * renderer was asked for it ({@link Renderer#transparency}), the transparency: |d objective / d image| summed
 * over the steps and the image's channels, [N, 1, H, W] (null otherwise).
 */
public record RenderResult(INDArray image, double[] firstObjective, double[] lastObjective, int steps,
                           double secondsPerStep, double[] bestObjective, INDArray transparency) {

    public RenderResult(INDArray image, double[] firstObjective, double[] lastObjective, int steps,
                        double secondsPerStep) {
        this(image, firstObjective, lastObjective, steps, secondsPerStep, lastObjective, null);
    }

    /**
     * Whether image {@code b}'s objective never rose above its value at the first step: a unit the render could
     * not move (a "grey", dead unit), whose picture means nothing. Exact zero staying zero is flat; any rise
     * beyond float rounding (a millionth of the values' size) is not.
     */
    public boolean flat(int b) {
        double first = firstObjective[b];
        double best = bestObjective[b];
        return !(best > first + 1e-6 * Math.max(Math.abs(first), Math.abs(best)));
    }
}
