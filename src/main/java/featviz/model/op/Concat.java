package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** DL4J's MergeVertex: concatenation along the channel (or feature) dimension 1. */
public final class Concat implements Op {
    private long[] widths;

    @Override
    public INDArray forward(INDArray... in) {
        widths = new long[in.length];
        for (int i = 0; i < in.length; i++) {
            widths[i] = in[i].size(1);
        }
        return Nd4j.concat(1, in);
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        INDArray[] grads = new INDArray[widths.length];
        long start = 0;
        for (int i = 0; i < widths.length; i++) {
            INDArrayIndex[] idx = new INDArrayIndex[gradOut.rank()];
            for (int d = 0; d < idx.length; d++) {
                idx[d] = NDArrayIndex.all();
            }
            idx[1] = NDArrayIndex.interval(start, start + widths[i]);
            grads[i] = gradOut.get(idx).dup();
            start += widths[i];
        }
        return grads;
    }

    @Override
    public String describe() {
        return "concat";
    }
}
