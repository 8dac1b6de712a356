package featviz.model.op;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.comparison.CompareAndSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * ReLU, in place. Its backward pass needs only the output (positive exactly where the input was), so the
 * input itself can be overwritten, and the backward pass masks the gradient in place too. Both
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
    private final DnnlRelu onednn = Dnnl.handles(DataType.FLOAT) ? new DnnlRelu() : null; // float CPU arrays
    private INDArray output;

    /** @param inPlace overwrite the input (only when nothing else reads it) */
    public Relu(boolean inPlace) {
        this.inPlace = inPlace;
    }

    @Override
    public INDArray forward(INDArray... in) {
        if (onednn != null && Dnnl.handles(in[0])) {
            output = inPlace ? in[0] : Memory.allocate(in[0].dataType(), in[0].shape());
            onednn.forward(in[0], output);
            return output;
        }
        output = Transforms.relu(in[0], !inPlace);
        return output;
    }

    /**
     * Masks the incoming gradient in place: the network hands each gradient array to one backward pass only.
     * One pass of libnd4j's pairwise compare-and-set, {@code grad = output <= 0 ? output : grad}, with no mask
     * array: a ReLU output is never negative, so where it is not positive it is the zero the gradient needs.
     * Measured at 8x256x28x28: 1.7-2.1 ms, against 4.5-10 ms for a step mask times the gradient and more
     * for libnd4j's {@code relu_bp}; a plain Java loop over the direct buffer took 6-7 ms. Float arrays on the
     * CPU go through oneDNN ({@link DnnlRelu}) instead, in both directions.
     */
    @Override
    public INDArray[] backward(INDArray gradOut) {
        if (ReluRedirect.active()) { // the first steps of a render only: not worth a fast path
            ReluRedirect.backward(output, gradOut);
            return new INDArray[] {gradOut};
        }
        if (onednn != null && Dnnl.handles(gradOut) && Dnnl.handles(output)) {
            onednn.backward(output, gradOut);
            return new INDArray[] {gradOut};
        }
        Nd4j.exec(new CompareAndSet(gradOut, output, gradOut, Conditions.lessThanOrEqual(0)));
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
