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
        exec(op);
        return out;
    }

    /** Runs an op whose output shape is already known (backward passes: the input's shape). */
    static INDArray runInto(DynamicCustomOp.DynamicCustomOpsBuilder builder, INDArray out) {
        builder.addOutputs(out);
        exec(builder.build());
        return out;
    }

    /**
     * Runs a custom op; where a platform implementation (oneDNN) rejects it, runs libnd4j's own instead.
     * M2.1's oneDNN depthwise convolution fails on some dilated geometries in float ("could not create a
     * descriptor for a dilated convolution"), which libnd4j's generic code computes.
     */
    static void exec(DynamicCustomOp op) {
        try {
            Nd4j.exec(op);
        } catch (RuntimeException e) {
            if (!Nd4j.getEnvironment().helpersAllowed()) {
                throw e;
            }
            Nd4j.getEnvironment().allowHelpers(false);
            try {
                Nd4j.exec(op);
            } finally {
                Nd4j.getEnvironment().allowHelpers(true);
            }
        }
    }

    /** Adds the inputs that are not null (an absent bias is left out, as libnd4j expects). */
    static DynamicCustomOp.DynamicCustomOpsBuilder withOptional(DynamicCustomOp.DynamicCustomOpsBuilder b,
                                                                INDArray... inputs) {
        // The builder's addInputs replaces what an earlier call added: collect, then add once.
        return b.addInputs(java.util.Arrays.stream(inputs).filter(java.util.Objects::nonNull).toArray(INDArray[]::new));
    }

    /** The shapes of the arrays that are not null. */
    static long[][] shapes(INDArray... arrays) {
        return java.util.Arrays.stream(arrays).filter(java.util.Objects::nonNull).map(INDArray::shape)
                .toArray(long[][]::new);
    }

    /**
     * libnd4j's 2-D convolution arguments as DL4J's layers pass them: kernel, stride, padding, dilation,
     * same mode (libnd4j then computes the padding itself), NCHW.
     */
    static int[] convolutionArguments(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean same) {
        return new int[] {kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], dilation[0],
            dilation[1], same ? 1 : 0, 0 /* NCHW */};
    }

    /**
     * Runs a libnd4j {@code _bp} op for its first output alone, the gradient with respect to the input
     * ({@code like}'s shape): the other outputs (weight and bias gradients, which featviz never uses) go to
     * scratch arrays of the given shapes, released at once.
     */
    static INDArray runBackward(DynamicCustomOp.DynamicCustomOpsBuilder builder, INDArray like, long[]... discarded) {
        INDArray gradIn = Memory.allocate(like.dataType(), like.shape());
        INDArray[] scratch = new INDArray[discarded.length];
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = Memory.allocate(like.dataType(), discarded[i]);
        }
        INDArray[] outputs = new INDArray[scratch.length + 1];
        outputs[0] = gradIn;
        System.arraycopy(scratch, 0, outputs, 1, scratch.length);
        builder.addOutputs(outputs); // once: a second call would replace the first's
        exec(builder.build());
        for (INDArray s : scratch) {
            Memory.release(s);
        }
        return gradIn;
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
