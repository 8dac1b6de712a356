package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Frees native arrays at their last use. ND4J frees an array's native buffer only when the JVM collects its
 * small Java handle, which a nearly idle heap rarely does; the network therefore runs outside any workspace
 * and hands every activation and gradient back the moment nothing will read it again, so its peak memory is
 * what the pass needs at once (as PyTorch's), not everything a step ever allocated.
 */
public final class Memory {
    private Memory() {
    }

    /**
     * Frees {@code a} now when it owns its buffer (not a view, not in a workspace); otherwise does nothing
     * and leaves it to its owner.
     */
    public static void release(INDArray a) {
        if (a != null && !a.wasClosed() && a.closeable()) {
            a.close();
        }
    }

    /**
     * Whether {@code a} shares its buffer with one of {@code arrays}: ops pass arrays through unchanged or
     * reshaped, and a reshape of a whole array is a second handle on the same buffer (ND4J does not even
     * call it a view), so closing either frees both.
     */
    public static boolean sharesBuffer(INDArray a, INDArray... arrays) {
        for (INDArray b : arrays) {
            if (b != null && (a == b || root(a) == root(b))) {
                return true;
            }
        }
        return false;
    }

    private static org.nd4j.linalg.api.buffer.DataBuffer root(INDArray a) {
        var data = a.data();
        return data.originalDataBuffer() != null ? data.originalDataBuffer() : data;
    }
}
