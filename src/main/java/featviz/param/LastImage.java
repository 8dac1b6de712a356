package featviz.param;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The image computed from the parameters at the last {@code image()} call, for a backward pass that needs
 * it (the sigmoid's derivative), so an expensive parameterization need not compute it twice per step. A
 * parameterization whose backward needs more of its forward pass keeps those arrays the same way.
 *
 * <p>The optimiser changes the parameters in place, so nothing signals that a kept image went stale; a
 * copy of the parameters is kept too and compared exactly. All copies live outside any workspace (the
 * render loop recycles its step workspace), in buffers allocated once and overwritten.
 */
final class LastImage {
    private INDArray parameters;
    private INDArray[] kept;

    /** Keeps copies of the parameters and of {@code values} (the image first), computed from them. */
    void remember(INDArray currentParameters, INDArray... values) {
        if (parameters == null || kept.length != values.length) {
            try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                parameters = currentParameters.dup('c');
                kept = new INDArray[values.length];
                for (int i = 0; i < values.length; i++) {
                    kept[i] = values[i].dup('c');
                }
            }
        } else {
            parameters.assign(currentParameters);
            for (int i = 0; i < values.length; i++) {
                kept[i].assign(values[i]);
            }
        }
    }

    /** The kept image if the parameters are still exactly those it was computed from, else null. */
    INDArray imageOf(INDArray currentParameters) {
        INDArray[] values = valuesOf(currentParameters);
        return values == null ? null : values[0];
    }

    /** All the kept values, in the order given, if the parameters are still exactly theirs, else null. */
    INDArray[] valuesOf(INDArray currentParameters) {
        if (parameters == null || currentParameters.neq(parameters).any()) {
            return null;
        }
        return kept;
    }
}
