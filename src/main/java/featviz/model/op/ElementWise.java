package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;

/** DL4J's ElementWiseVertex for the linear cases: the residual add of ResNets, subtract and average. */
public final class ElementWise implements Op {
    public enum Kind { ADD, SUBTRACT, AVERAGE }

    private final Kind kind;
    private int arity;

    public ElementWise(Kind kind) {
        this.kind = kind;
    }

    @Override
    public INDArray forward(INDArray... in) {
        arity = in.length;
        // The first pair in one pass (a copy then an add would read the first input twice).
        INDArray out = Memory.allocate(in[0].dataType(), in[0].shape());
        if (in.length == 1) {
            out.assign(in[0]);
        } else if (kind == Kind.SUBTRACT) {
            in[0].sub(in[1], out);
        } else {
            in[0].add(in[1], out);
        }
        for (int i = 2; i < in.length; i++) {
            if (kind == Kind.SUBTRACT) {
                out.subi(in[i]);
            } else {
                out.addi(in[i]);
            }
        }
        if (kind == Kind.AVERAGE) {
            out.divi(in.length);
        }
        return out;
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        // The first input takes the incoming gradient array itself (the network hands each gradient to one
        // backward pass, which may reuse it); the others get copies. Saves one copy per residual add.
        INDArray first = kind == Kind.AVERAGE ? gradOut.divi(arity) : gradOut;
        INDArray[] grads = new INDArray[arity];
        grads[0] = first;
        for (int i = 1; i < arity; i++) {
            grads[i] = Memory.allocate(first.dataType(), first.shape()).assign(first);
            if (kind == Kind.SUBTRACT) {
                grads[i].negi();
            }
        }
        return grads;
    }

    @Override
    public String describe() {
        return kind.name().toLowerCase();
    }
}
