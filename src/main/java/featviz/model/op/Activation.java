package featviz.model.op;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Any DL4J activation function (sigmoid, tanh, leaky ReLU, softmax...), through DL4J's own forward and
 * backprop code. Those work in place, hence the copies.
 */
public final class Activation implements Op {
    private final IActivation fn;
    private INDArray input;

    public Activation(IActivation fn) {
        this.fn = fn;
    }

    @Override
    public INDArray forward(INDArray... in) {
        input = in[0];
        return fn.getActivation(input.dup(), false);
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        INDArray x = input.dup();
        INDArray g = gradOut.dup();
        INDArray grad = fn.backprop(x, g).getFirst();
        for (INDArray temporary : new INDArray[] {x, g}) {
            if (!Memory.sharesBuffer(temporary, grad)) {
                Memory.release(temporary);
            }
        }
        return new INDArray[] {grad};
    }

    @Override
    public void clear() {
        input = null;
    }

    @Override
    public String describe() {
        return fn.toString().toLowerCase();
    }
}
