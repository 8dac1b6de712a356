package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/** Runs a libnd4j custom op that has one output, allocating the output at the shape the op reports. */
final class Ops {
    private Ops() {
    }

    static INDArray run(DynamicCustomOp.DynamicCustomOpsBuilder builder, INDArray like) {
        DynamicCustomOp op = builder.build();
        long[] shape = op.calculateOutputShape().get(0).getShape();
        INDArray out = Memory.allocate(like.dataType(), shape);
        op.addOutputArgument(out);
        Nd4j.exec(op);
        return out;
    }

    /** Runs an op whose output shape is already known (backward passes: the input's shape). */
    static INDArray runInto(DynamicCustomOp.DynamicCustomOpsBuilder builder, INDArray out) {
        builder.addOutputs(out);
        Nd4j.exec(builder.build());
        return out;
    }

    /**
     * The padding before the first row (or column) in same mode, as libnd4j's {@code calcPadding2D} computes
     * it: half the total, rounded toward zero. It comes out negative when the windows overshoot less than
     * they start early; callers decide what that means.
     */
    static long samePaddingBefore(long in, long out, int kernel, int stride, int dilation) {
        long extent = (kernel - 1L) * dilation + 1;
        return ((out - 1) * stride + extent - in) / 2;
    }
}
