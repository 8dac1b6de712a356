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

    public Chain(List<Op> ops) {
        this.ops = List.copyOf(ops);
    }

    public List<Op> ops() {
        return ops;
    }

    @Override
    public INDArray forward(INDArray... in) {
        INDArray[] x = in;
        for (Op op : ops) {
            x = new INDArray[] {op.forward(x)};
        }
        return x[0];
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        INDArray[] g = {gradOut};
        for (int i = ops.size() - 1; i >= 0; i--) {
            if (i < ops.size() - 1 && g.length != 1) {
                throw new IllegalStateException("only the first op of a chain may take several inputs");
            }
            g = ops.get(i).backward(g[0]);
        }
        return g;
    }

    @Override
    public void clear() {
        ops.forEach(Op::clear);
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
