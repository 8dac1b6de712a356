package featviz.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Gradient ascent on the parameters, in place. Each image of a batch is treated on its own. */
public interface Optimizer {

    void step(INDArray params, INDArray grad);

    String describe();
}
