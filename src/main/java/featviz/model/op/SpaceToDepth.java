package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

/**
 * DL4J's SpaceToDepthLayer in NCHW: each block x block patch becomes block^2 channels (libnd4j's
 * {@code space_to_depth}). A permutation of values, so its backward pass is the inverse permutation,
 * {@code depth_to_space}, as DL4J's own backprop does.
 */
public final class SpaceToDepth implements Op {
    private final int block;
    private long[] inputShape;

    public SpaceToDepth(int block) {
        this.block = block;
    }

    @Override
    public INDArray forward(INDArray... in) {
        inputShape = in[0].shape();
        return Ops.run(DynamicCustomOp.builder("space_to_depth").addInputs(in[0])
                .addIntegerArguments(block, 0 /* NCHW */), in[0]);
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        return new INDArray[] {Ops.runInto(DynamicCustomOp.builder("depth_to_space").addInputs(gradOut)
                .addIntegerArguments(block, 0 /* NCHW */), Memory.allocate(gradOut.dataType(), inputShape))};
    }

    @Override
    public String describe() {
        return "space-to-depth " + block;
    }
}
