package featviz.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;

/**
 * The structure of a DL4J network, ComputationGraph or MultiLayerNetwork alike: vertices in
 * topological order with their inputs, layer configurations and output types. No weights.
 */
public final class GraphSpec {

    /** One vertex. {@code layer} is null for non-layer vertices (add, merge, preprocessor...). */
    public record Vertex(String name, List<String> inputs, Layer layer, InputPreProcessor preProcessor,
                         GraphVertex graphVertex, int layerIndex, InputType outputType) {
        public String typeName() {
            if (layer != null) {
                return layer.getClass().getSimpleName();
            }
            if (graphVertex != null) {
                return graphVertex.getClass().getSimpleName();
            }
            return "Input";
        }
    }

    private final String inputName;
    private final Map<String, Vertex> vertices; // topological order, input first

    private GraphSpec(String inputName, Map<String, Vertex> vertices) {
        this.inputName = inputName;
        this.vertices = vertices;
    }

    public String inputName() {
        return inputName;
    }

    public List<Vertex> vertices() {
        return new ArrayList<>(vertices.values());
    }

    public Vertex vertex(String name) {
        return vertices.get(name);
    }

    public boolean has(String name) {
        return vertices.containsKey(name);
    }

    /** @param inputType the (C, H, W) input the output types are computed for */
    public static GraphSpec of(ComputationGraphConfiguration conf, InputType inputType) {
        if (conf.getNetworkInputs().size() != 1) {
            throw new featviz.UsageException("featviz needs a network with one image input; this one has "
                    + conf.getNetworkInputs().size() + " inputs " + conf.getNetworkInputs());
        }
        // DL4J's type inference adds missing preprocessors and sets nIn as it goes: work on a copy.
        conf = conf.clone();
        String input = conf.getNetworkInputs().get(0);
        Map<String, InputType> types = conf.getLayerActivationTypes(true, false, inputType);
        Map<String, Vertex> ordered = new LinkedHashMap<>();
        ordered.put(input, new Vertex(input, List.of(), null, null, null, -1, inputType));
        // Kahn's algorithm over the configuration's (insertion-ordered) vertices keeps the order the
        // network was written in wherever the graph allows it.
        Map<String, List<String>> inputs = conf.getVertexInputs();
        boolean progress = true;
        while (progress) {
            progress = false;
            for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
                String name = e.getKey();
                if (ordered.containsKey(name)) {
                    continue;
                }
                List<String> in = inputs.getOrDefault(name, List.of());
                if (!ordered.keySet().containsAll(in)) {
                    continue;
                }
                GraphVertex gv = e.getValue();
                Layer layer = gv instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
                InputPreProcessor pre = gv instanceof LayerVertex lv ? lv.getPreProcessor() : null;
                ordered.put(name, new Vertex(name, List.copyOf(in), layer, pre, gv, -1, types.get(name)));
                progress = true;
            }
        }
        return new GraphSpec(input, ordered);
    }

    public static GraphSpec of(MultiLayerConfiguration conf, InputType inputType) {
        conf = conf.clone();
        List<InputType> types = conf.getLayerActivationTypes(inputType);
        Map<String, Vertex> ordered = new LinkedHashMap<>();
        String input = "input";
        ordered.put(input, new Vertex(input, List.of(), null, null, null, -1, inputType));
        String previous = input;
        List<NeuralNetConfiguration> confs = conf.getConfs();
        for (int i = 0; i < confs.size(); i++) {
            Layer layer = confs.get(i).getLayer();
            String name = layer.getLayerName() != null ? layer.getLayerName() : String.valueOf(i);
            ordered.put(name, new Vertex(name, List.of(previous), layer, conf.getInputPreProcess(i), null, i,
                    types.get(i)));
            previous = name;
        }
        return new GraphSpec(input, ordered);
    }
}
