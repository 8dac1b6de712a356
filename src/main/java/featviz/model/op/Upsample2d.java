package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

/**
 * DL4J's Upsampling2D in NCHW: each pixel repeated {@code size} times along each axis (libnd4j's
 * {@code upsampling2d}); the backward pass sums each block's gradients ({@code upsampling2d_bp}).
 */
public final class Upsample2d implements Op {
    private final int[] args;
    private INDArray input;

    public Upsample2d(int[] size) {
        this.args = new int[] {size[0], size[1], 1 /* NCHW */};
    }

    @Override
    public INDArray forward(INDArray... in) {
        input = in[0];
        return Ops.run(DynamicCustomOp.builder("upsampling2d").addInputs(input).addIntegerArguments(args), input);
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        return new INDArray[] {Ops.runBackward(DynamicCustomOp.builder("upsampling2d_bp")
                .addInputs(input, gradOut).addIntegerArguments(args[2]), input)};
    }

    @Override
    public void clear() {
        input = null;
    }

    @Override
    public String describe() {
        return "upsample " + args[0] + "x" + args[1];
    }
}
