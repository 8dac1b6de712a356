package featviz.model;

import java.util.Collection;
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

    /**
     * The vertices whose parameters a network build is about to ask for, all at once: a source that reads a
     * file reads those in one pass ({@link ZipWeights}). Others have nothing to do.
     */
    default void prepare(Collection<GraphSpec.Vertex> vertices) {
    }

    /** A short identity for provenance, e.g. {@code imagenet adler32:2782932419} or {@code random seed 0}. */
    String identity();
}
