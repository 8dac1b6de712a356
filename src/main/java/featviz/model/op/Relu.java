package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * ReLU, in place. Its backward pass needs only the output (positive exactly where the input was), so the
 * input itself can be overwritten, and libnd4j's {@code relu_bp} masks the gradient in place too. Both
 * matter for memory: the forward activations all live until the backward pass reaches them, so each copy
 * saved here is one activation-sized buffer less at the peak.
 *
 * <p>In place is safe when nothing else reads the input array: inside one layer the ReLU follows the op
 * that made its input (DL4J puts activations inside layers); a standalone ActivationLayer works in place
 * only when {@link featviz.model.NetworkBuilder} finds that its input has no other reader and is not a
 * target (through pass-throughs such as a folded BatchNorm), and copies otherwise.
 */
public final class Relu implements Op {
    private final boolean inPlace;
    private INDArray output;

    /** @param inPlace overwrite the input (only when nothing else reads it) */
    public Relu(boolean inPlace) {
        this.inPlace = inPlace;
    }

    @Override
    public INDArray forward(INDArray... in) {
        output = Transforms.relu(in[0], !inPlace);
        return output;
    }

    /**
     * Masks the incoming gradient in place: the network hands each gradient array to one backward pass only.
     * The mask is a step function of the output times the gradient, two of libnd4j's fastest element-wise
     * kernels: 2.4x faster than its {@code relu_bp} (7 vs 17 ms at 8x64x112x112), with the same result.
     */
    @Override
    public INDArray[] backward(INDArray gradOut) {
        // One image at a time, so the mask adds one image's activation to the peak, not the batch's
        // (VGG19 at batch 8: 1638 -> 1483 MB). The rows are views, so both arrays must be dense.
        boolean dense = !gradOut.isView() && gradOut.ordering() == 'c' && !output.isView() && output.ordering() == 'c';
        long images = output.rank() > 1 && dense ? output.size(0) : 1;
        if (images == 1) {
            INDArray mask = Nd4j.createUninitialized(output.dataType(), output.shape());
            Nd4j.exec(new Step(output, mask, 0.0));
            Nd4j.exec(new MulOp(gradOut, mask, gradOut));
            Memory.release(mask);
            return new INDArray[] {gradOut};
        }
        INDArray out = output.reshape(images, output.length() / images);
        INDArray grad = gradOut.reshape(images, gradOut.length() / images);
        INDArray mask = Nd4j.createUninitialized(output.dataType(), out.size(1));
        for (long n = 0; n < images; n++) {
            INDArray gradOfImage = grad.getRow(n);
            Nd4j.exec(new Step(out.getRow(n), mask, 0.0));
            Nd4j.exec(new MulOp(gradOfImage, mask, gradOfImage));
        }
        Memory.release(mask);
        return new INDArray[] {gradOut};
    }

    @Override
    public void clear() {
        output = null;
    }

    public boolean inPlace() {
        return inPlace;
    }

    @Override
    public boolean outputIsInput() {
        return inPlace;
    }

    @Override
    public boolean backwardReadsOutput() {
        return true;
    }

    @Override
    public String describe() {
        return "relu";
    }
}
