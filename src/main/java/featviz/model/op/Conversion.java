package featviz.model.op;

import featviz.model.op.Dnnl.Call;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Between an NCHW array and the layout a primitive wants: nothing when they are the same, otherwise a
 * conversion through a scratch buffer ({@link Dnnl.Scratch}).
 */
final class Conversion {
    private final Call reorder; // null: same layout
    private final long bytes;

    Conversion(dnnl_memory_desc_t from, dnnl_memory_desc_t to) {
        this.reorder = Dnnl.same(from, to) ? null : Dnnl.reorder(from, to);
        // The blocked side pads channels up to its block: never smaller than the plain side.
        this.bytes = Math.max(Dnnl.bytes(from), Dnnl.bytes(to));
    }

    /** The address of {@code plain} in the wanted layout: {@code plain} itself, or the converted input scratch. */
    Pointer in(INDArray plain) {
        if (reorder == null) {
            return Dnnl.address(plain);
        }
        Pointer scratch = Dnnl.Scratch.INPUT.get().at(bytes);
        reorder.run(Dnnl.address(plain), scratch);
        return scratch;
    }

    /** Where a primitive should write an array of this NCHW shape: the new array itself, or scratch. */
    INDArray target(long[] plainShape) {
        return reorder == null ? Memory.allocate(DataType.FLOAT, plainShape) : null;
    }

    /** The address {@link #target} stands for. */
    Pointer address(INDArray target) {
        return target != null ? Dnnl.address(target) : Dnnl.Scratch.OUTPUT.get().at(bytes);
    }

    /** The NCHW array of what a primitive wrote at {@link #address}. */
    INDArray finish(INDArray target, long[] plainShape) {
        if (target != null) {
            return target;
        }
        INDArray plain = Memory.allocate(DataType.FLOAT, plainShape);
        reorder.run(Dnnl.Scratch.OUTPUT.get().at(bytes), Dnnl.address(plain));
        return plain;
    }

    void close() {
        if (reorder != null) {
            reorder.close();
        }
    }
}
