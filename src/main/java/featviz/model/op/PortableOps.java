package featviz.model.op;

import featviz.UsageException;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Whether the render step runs on libnd4j's ops alone: the code path ND4J's CUDA backend takes, where arrays
 * live on the device. On that path no op calls oneDNN directly ({@link Dnnl}) and none loops in Java over an
 * array's host memory ({@link MaxPoolKernel}, the transforms' host sampler): pooling runs libnd4j's
 * {@code maxpool2d}/{@code maxpool2d_bp} and bilinear sampling is gathers and matrix products. So nothing
 * image- or activation-sized crosses to the host per step; only per-image scalars (objective values) do.
 *
 * <p>The CUDA backend always takes it. On the CPU, {@code -Dfeatviz.ops=portable} turns it on, so that the
 * tests prove the GPU's path correct on a machine without one; it subsumes {@code -Dfeatviz.onednn=false}.
 * The property is read at each call, so a test can switch it between networks it builds.
 */
public final class PortableOps {
    /** The system property that selects the CPU's path: {@code portable}, or {@code native} (the default). */
    public static final String PROPERTY = "featviz.ops";

    private PortableOps() {
    }

    /** Whether ops must take the portable path now. */
    public static boolean active() {
        return !Backend.CPU || requested();
    }

    /** Whether the system property asks for the portable path (on any backend). */
    public static boolean requested() {
        String value = System.getProperty(PROPERTY, "native");
        return switch (value) {
            case "portable" -> true;
            case "native", "" -> false;
            default -> throw new UsageException("-D" + PROPERTY + " must be portable or native, not " + value);
        };
    }

    /** The backend is fixed for the process: asked once, when first needed. */
    private static final class Backend {
        static final boolean CPU = Nd4j.getEnvironment().isCPU();
    }
}
