package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's ElementWiseVertex: the residual add of ResNets, subtract, average, and the two that need their
 * inputs again backward, product and max (whose gradient goes to the input holding the maximum; DL4J gives
 * it to the first such input on a tie, and so does this op).
 */
public final class ElementWise implements Op {
    public enum Kind { ADD, SUBTRACT, AVERAGE, PRODUCT, MAX }

    private final Kind kind;
    private int arity;
    private INDArray[] inputs; // product and max only

    public ElementWise(Kind kind) {
        this.kind = kind;
    }

    @Override
    public INDArray forward(INDArray... in) {
        arity = in.length;
        if (kind == Kind.PRODUCT || kind == Kind.MAX) {
            inputs = in.clone();
            INDArray out = Memory.allocate(in[0].dataType(), in[0].shape()).assign(in[0]);
            for (int i = 1; i < in.length; i++) {
                if (kind == Kind.PRODUCT) {
                    out.muli(in[i]);
                } else {
                    org.nd4j.linalg.ops.transforms.Transforms.max(out, in[i], false);
                }
            }
            return out;
        }
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
        if (kind == Kind.PRODUCT) {
            return productGradients(gradOut);
        }
        if (kind == Kind.MAX) {
            return maxGradients(gradOut);
        }
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

    /** d(x_0 x_1 ...)/dx_i = product of the other inputs. */
    private INDArray[] productGradients(INDArray gradOut) {
        INDArray[] grads = new INDArray[arity];
        for (int i = 0; i < arity; i++) {
            grads[i] = Memory.allocate(gradOut.dataType(), gradOut.shape()).assign(gradOut);
            for (int j = 0; j < arity; j++) {
                if (j != i) {
                    grads[i].muli(inputs[j]);
                }
            }
        }
        return grads;
    }

    /** Each position's gradient to the first input holding the maximum there, zero to the others. */
    private INDArray[] maxGradients(INDArray gradOut) {
        INDArray best = inputs[0].dup();
        INDArray winner = Memory.zeros(gradOut.dataType(), gradOut.shape()); // index of the first maximum
        for (int i = 1; i < arity; i++) {
            INDArray greater = inputs[i].gt(best);
            INDArray better = greater.castTo(winner.dataType()); // 1 where input i is the new maximum
            INDArray replaced = winner.mul(better);
            winner.subi(replaced).addi(better.muli(i));
            org.nd4j.linalg.ops.transforms.Transforms.max(best, inputs[i], false);
            for (INDArray temporary : new INDArray[] {greater, better, replaced}) {
                temporary.close();
            }
        }
        best.close();
        INDArray[] grads = new INDArray[arity];
        for (int i = 0; i < arity; i++) {
            INDArray won = winner.eq(i);
            INDArray mine = won.castTo(gradOut.dataType());
            grads[i] = gradOut.mul(mine, Memory.allocate(gradOut.dataType(), gradOut.shape()));
            won.close();
            mine.close();
        }
        Memory.release(winner);
        return grads;
    }

    @Override
    public void clear() {
        inputs = null;
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public String describe() {
        return kind.name().toLowerCase();
    }
}
