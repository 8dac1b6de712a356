package featviz.model.op;

import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code y = x * scale + shift} with scalar scale and shift: DL4J's ScaleVertex and ShiftVertex. */
public final class ScalarAffine implements Op {
    private final double scale;
    private final double shift;
    private final String name;

    public ScalarAffine(double scale, double shift, String name) {
        this.scale = scale;
        this.shift = shift;
        this.name = name;
    }

    @Override
    public INDArray forward(INDArray... in) {
        INDArray out = Memory.allocate(in[0].dataType(), in[0].shape());
        return in[0].mul(scale, out).addi(shift);
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        return new INDArray[] {gradOut.mul(scale, Memory.allocate(gradOut.dataType(), gradOut.shape()))};
    }

    @Override
    public String describe() {
        return name;
    }
}
