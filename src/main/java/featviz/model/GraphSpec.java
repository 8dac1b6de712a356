package featviz.model;

import java.util.ArrayList;
import java.util.HashMap;
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
        Map<String, InputType> types = new HashMap<>();
        types.put(input, inputType);
        Map<String, Vertex> ordered = new LinkedHashMap<>();
        ordered.put(input, new Vertex(input, List.of(), null, null, null, -1, inputType));
        // Kahn's algorithm over the configuration's (insertion-ordered) vertices keeps the order the
        // network was written in wherever the graph allows it.
        Map<String, List<String>> inputs = conf.getVertexInputs();
        int layerIndex = -1;
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
                if (layer != null) {
                    layerIndex++;
                }
                InputType type = outputType(gv, in.stream().map(types::get).toList(), layerIndex);
                types.put(name, type);
                InputPreProcessor pre = gv instanceof LayerVertex lv ? lv.getPreProcessor() : null;
                ordered.put(name, new Vertex(name, List.copyOf(in), layer, pre, gv, -1, type));
                progress = true;
            }
        }
        return new GraphSpec(input, ordered);
    }

    /**
     * A vertex's output type for the given input types, as DL4J's own type inference computes it (adding
     * the preprocessor DL4J would add), or null where the input is too small for the vertex or unknown: a
     * network can then still be used up to the layers that do fit.
     */
    private static InputType outputType(GraphVertex gv, List<InputType> in, int layerIndex) {
        if (in.stream().anyMatch(java.util.Objects::isNull)) {
            return null;
        }
        try {
            if (gv instanceof LayerVertex lv) {
                Layer l = lv.getLayerConf().getLayer();
                if (isImageToFlatToImage(lv.getPreProcessor(), in.get(0))) {
                    lv.setPreProcessor(null);
                }
                if (lv.getPreProcessor() == null) {
                    lv.setPreProcessor(l.getPreProcessorForInputType(in.get(0)));
                }
                InputType afterPre = lv.getPreProcessor() == null ? in.get(0) : lv.getPreProcessor().getOutputType(in.get(0));
                if (!fits(l, afterPre) || windowExceedsInput(l, afterPre)) {
                    return null;
                }
                l.setNIn(afterPre, false);
            }
            return nonEmpty(gv.getOutputType(layerIndex, in.toArray(new InputType[0])));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * A window larger than its padded input outside Same mode: DL4J's type inference still says 1x1 (the
     * integer division rounds the negative span to 0), as for ResNet50's 7x7 avg_pool on a 2x2 map at 64 px.
     */
    private static boolean windowExceedsInput(Layer layer, InputType in) {
        int[] k;
        int[] pad;
        int[] dilation;
        org.deeplearning4j.nn.conf.ConvolutionMode mode;
        if (layer.getClass() == org.deeplearning4j.nn.conf.layers.ConvolutionLayer.class) {
            var c = (org.deeplearning4j.nn.conf.layers.ConvolutionLayer) layer;
            k = c.getKernelSize();
            pad = c.getPadding();
            dilation = c.getDilation();
            mode = c.getConvolutionMode();
        } else if (layer.getClass() == org.deeplearning4j.nn.conf.layers.SubsamplingLayer.class) {
            var s = (org.deeplearning4j.nn.conf.layers.SubsamplingLayer) layer;
            k = s.getKernelSize();
            pad = s.getPadding();
            dilation = s.getDilation();
            mode = s.getConvolutionMode();
        } else {
            return false;
        }
        if (!(in instanceof InputType.InputTypeConvolutional c) || mode == org.deeplearning4j.nn.conf.ConvolutionMode.Same) {
            return false;
        }
        return c.getHeight() + 2L * pad[0] < (long) (k[0] - 1) * dilation[0] + 1
                || c.getWidth() + 2L * pad[1] < (long) (k[1] - 1) * dilation[1] + 1;
    }

    /** DL4J happily computes 0x0 outputs for windows larger than their input; those do not exist. */
    private static InputType nonEmpty(InputType t) {
        if (t instanceof InputType.InputTypeConvolutional c && (c.getHeight() < 1 || c.getWidth() < 1)) {
            return null;
        }
        return t;
    }

    /**
     * Whether a layer with fixed weights can take this input: a dense layer after a flatten takes one size
     * of image only (VGG19's fc1 wants 7x7x512, i.e. 224x224 images), a convolution one channel count.
     */
    private static boolean fits(Layer layer, InputType in) {
        if (!(layer instanceof org.deeplearning4j.nn.conf.layers.FeedForwardLayer ff) || ff.getNIn() <= 0) {
            return true;
        }
        if (in instanceof InputType.InputTypeConvolutional c) {
            return c.getChannels() == ff.getNIn();
        }
        if (in instanceof InputType.InputTypeFeedForward f) {
            return f.getSize() == ff.getNIn();
        }
        return true;
    }

    /**
     * A FeedForwardToCnn preprocessor fed an image already: the zoo's VGG19 declares a flat input and
     * reshapes it to 3x224x224, which would pin the input size. Images pass through unchanged instead.
     */
    private static boolean isImageToFlatToImage(InputPreProcessor pre, InputType in) {
        return pre instanceof org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor
                && in instanceof InputType.InputTypeConvolutional;
    }

    public static GraphSpec of(MultiLayerConfiguration conf, InputType inputType) {
        conf = conf.clone();
        Map<String, Vertex> ordered = new LinkedHashMap<>();
        String input = "input";
        ordered.put(input, new Vertex(input, List.of(), null, null, null, -1, inputType));
        String previous = input;
        InputType type = inputType;
        List<NeuralNetConfiguration> confs = conf.getConfs();
        for (int i = 0; i < confs.size(); i++) {
            Layer layer = confs.get(i).getLayer();
            InputPreProcessor pre = conf.getInputPreProcess(i);
            if (isImageToFlatToImage(pre, type)) {
                pre = null;
            }
            if (pre == null && type != null) {
                pre = layer.getPreProcessorForInputType(type);
            }
            type = layerOutputType(layer, pre, type, i);
            String name = layerName(layer, i);
            ordered.put(name, new Vertex(name, List.of(previous), layer, pre, null, i, type));
            previous = name;
        }
        return new GraphSpec(input, ordered);
    }

    /** A MultiLayerNetwork layer's vertex name: its own name, or its index when it has none. */
    static String layerName(Layer layer, int index) {
        return layer.getLayerName() != null ? layer.getLayerName() : String.valueOf(index);
    }

    private static InputType layerOutputType(Layer layer, InputPreProcessor pre, InputType in, int index) {
        if (in == null) {
            return null;
        }
        try {
            InputType afterPre = pre == null ? in : pre.getOutputType(in);
            if (!fits(layer, afterPre)) {
                return null;
            }
            layer.setNIn(afterPre, false);
            return nonEmpty(layer.getOutputType(index, afterPre));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
