package featviz.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The parameters of an initialised DL4J ComputationGraph or MultiLayerNetwork in memory: the tests hold
 * featviz's networks to DL4J's own with them. (featviz itself reads model files with {@link ZipWeights}.)
 */
public final class LoadedWeights implements WeightSource {
    private final ComputationGraph graph;
    private final MultiLayerNetwork net;
    private final String identity;

    public LoadedWeights(ComputationGraph graph, String identity) {
        this.graph = graph;
        this.net = null;
        this.identity = identity;
    }

    public LoadedWeights(MultiLayerNetwork net, String identity) {
        this.graph = null;
        this.net = net;
        this.identity = identity;
    }

    @Override
    public INDArray param(GraphSpec.Vertex vertex, String key, long[] shape) {
        Layer layer = graph != null ? graph.getLayer(vertex.name()) : net.getLayer(vertex.layerIndex());
        if (!layer.paramTable().containsKey(key)) {
            return null;
        }
        return layer.getParam(key);
    }

    @Override
    public String identity() {
        return identity;
    }
}
