package featviz.param;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The image computed from the parameters at the last {@code image()} call, for a backward pass that needs
 * it (the sigmoid's derivative), so an expensive parameterization need not compute it twice per step.
 *
 * <p>The optimiser changes the parameters in place, so nothing signals that a kept image went stale; a
 * copy of the parameters is kept too and compared exactly. Both copies live outside any workspace (the
 * render loop recycles its step workspace), in buffers allocated once and overwritten.
 */
final class LastImage {
    private INDArray parameters;
    private INDArray image;

    void remember(INDArray currentParameters, INDArray currentImage) {
        if (parameters == null) {
            try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                parameters = currentParameters.dup('c');
                image = currentImage.dup('c');
            }
        } else {
            parameters.assign(currentParameters);
            image.assign(currentImage);
        }
    }

    /** The kept image if the parameters are still exactly those it was computed from, else null. */
    INDArray imageOf(INDArray currentParameters) {
        if (parameters == null || currentParameters.neq(parameters).any()) {
            return null;
        }
        return image;
    }
}
