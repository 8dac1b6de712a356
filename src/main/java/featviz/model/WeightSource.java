package featviz.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Where a layer's parameters come from: a loaded DL4J network, or a seeded random initialisation. */
public interface WeightSource {

    /**
     * @param vertex the vertex (its layer configuration and position)
     * @param key DL4J's parameter key: W, b, gamma, beta, mean, var, log10stdev
     * @param shape the shape DL4J gives that parameter
     * @return the parameter, or null if the layer has none under that key
     */
    INDArray param(GraphSpec.Vertex vertex, String key, long[] shape);

    /** A short identity for provenance, e.g. {@code imagenet adler32:2782932419} or {@code random seed 0}. */
    String identity();
}
