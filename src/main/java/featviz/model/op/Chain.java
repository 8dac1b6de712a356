package featviz.model.op;

import java.util.List;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Ops applied one after another under one name: a DL4J layer is often several steps (a preprocessor,
 * the layer, its activation) but the user names, and looks at, only its output.
 */
public final class Chain implements Op {
    private final List<Op> ops;
    private INDArray[] between = new INDArray[0]; // outputs of all but the last op: this chain's own arrays
    private INDArray[] firstInputs = new INDArray[0];
    private INDArray lastOutput;

    public Chain(List<Op> ops) {
        this.ops = List.copyOf(ops);
    }

    public List<Op> ops() {
        return ops;
    }

    @Override
    public INDArray forward(INDArray... in) {
        between = new INDArray[ops.size() - 1];
        firstInputs = in.clone();
        INDArray[] x = in;
        for (int i = 0; i < ops.size(); i++) {
            x = new INDArray[] {ops.get(i).forward(x)};
            if (i < between.length) {
                between[i] = x[0];
            }
        }
        lastOutput = x[0];
        return x[0];
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        INDArray[] g = {gradOut};
        for (int i = ops.size() - 1; i >= 0; i--) {
            if (i < ops.size() - 1 && g.length != 1) {
                throw new IllegalStateException("only the first op of a chain may take several inputs");
            }
            INDArray gradOutOfOp = g[0];
            g = ops.get(i).backward(gradOutOfOp);
            if (gradOutOfOp != gradOut && !Memory.sharesBuffer(gradOutOfOp, g)) {
                Memory.release(gradOutOfOp); // a gradient between two of this chain's ops
            }
        }
        return g;
    }

    /**
     * Frees the arrays passed between this chain's ops, except those that are the chain's input or output
     * under another name (in-place ops hand on the array they were given).
     */
    @Override
    public void clear() {
        ops.forEach(Op::clear);
        INDArray[] own = between;
        between = new INDArray[0];
        for (int i = 0; i < own.length; i++) {
            INDArray a = own[i];
            if (a == null || Memory.sharesBuffer(a, lastOutput)) {
                continue;
            }
            boolean later = false;
            for (int j = i + 1; j < own.length; j++) {
                later |= own[j] != null && Memory.sharesBuffer(a, own[j]);
            }
            if (!later && !Memory.sharesBuffer(a, firstInputs)) {
                Memory.release(a);
            }
        }
        lastOutput = null;
        firstInputs = new INDArray[0];
    }

    @Override
    public boolean outputIsInput() {
        return ops.stream().allMatch(Op::outputIsInput);
    }

    /** The last op's output is the chain's, and so is every earlier one's that the ops after it pass on. */
    @Override
    public boolean backwardReadsOutput() {
        for (int i = ops.size() - 1; i >= 0; i--) {
            if (ops.get(i).backwardReadsOutput()) {
                return true;
            }
            if (!ops.get(i).outputIsInput()) {
                return false;
            }
        }
        return false;
    }

    @Override
    public String describe() {
        return ops.stream().map(Op::describe).collect(Collectors.joining(" > "));
    }
}
