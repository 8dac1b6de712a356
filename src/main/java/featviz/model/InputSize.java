package featviz.model;

import java.util.function.Function;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;

/**
 * The image size a model file implies. DL4J files do not record their input type, but a head that flattens
 * feature maps into a dense layer fixes it: the first such layer's nIn must equal channels x height x width
 * of the maps it reads (a 0.5.0 MNIST-style CNN: 28x28; VGG: 224x224). Found by bisection over square sizes,
 * since the flattened size never shrinks as the image grows.
 */
final class InputSize {
    static final int DEFAULT = 224;
    private static final int LARGEST = 4096;

    private InputSize() {
    }

    /**
     * The square size at which the first flatten-into-dense layer fits: {@link #DEFAULT} when that does, or
     * when none does; otherwise the smallest that does.
     */
    static int fromHead(Function<InputType, GraphSpec> structure, int channels) {
        GraphSpec probe = structure.apply(InputType.convolutional(DEFAULT, DEFAULT, channels));
        String dense = null;
        String before = null;
        for (GraphSpec.Vertex v : probe.vertices()) {
            if (!(NetworkBuilder.unwrap(v.layer()) instanceof FeedForwardLayer ff) || ff.getNIn() <= 0
                    || v.inputs().size() != 1 || !flattens(ff)) {
                continue;
            }
            GraphSpec.Vertex in = probe.vertex(v.inputs().get(0));
            if (in.graphVertex() instanceof org.deeplearning4j.nn.conf.graph.PreprocessorVertex && in.inputs().size() == 1) {
                in = probe.vertex(in.inputs().get(0)); // a flatten vertex between maps and dense layer
            }
            if (in.outputType() instanceof InputType.InputTypeConvolutional) {
                dense = v.name();
                before = in.name();
            }
            break; // only the first dense layer: it reads the maps, or the size is not the head's to fix
        }
        if (dense == null) {
            return DEFAULT;
        }
        long nIn = ((FeedForwardLayer) NetworkBuilder.unwrap(probe.vertex(dense).layer())).getNIn();
        if (probe.vertex(before).outputType() instanceof InputType.InputTypeConvolutional c
                && c.getChannels() * c.getHeight() * c.getWidth() == nIn) {
            return DEFAULT; // a range of sizes may fit (a 7x7 pool before the head): keep the usual one
        }
        int lo = 1;
        int hi = LARGEST;
        while (lo < hi) { // the smallest size whose flattened maps hold at least nIn values
            int mid = (lo + hi) >>> 1;
            if (flattened(structure, channels, mid, before) < nIn) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return flattened(structure, channels, lo, before) == nIn ? lo : DEFAULT;
    }

    /** Whether the layer reads feature maps flattened (dense and output layers), not as maps. */
    private static boolean flattens(FeedForwardLayer layer) {
        return layer.getPreProcessorForInputType(InputType.convolutional(8, 8, 1))
                instanceof org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
    }

    /** channels x height x width of a vertex's output at a square input size, 0 where it has none. */
    private static long flattened(Function<InputType, GraphSpec> structure, int channels, int size, String vertex) {
        InputType t = structure.apply(InputType.convolutional(size, size, channels)).vertex(vertex).outputType();
        return t instanceof InputType.InputTypeConvolutional c ? c.getChannels() * c.getHeight() * c.getWidth() : 0;
    }
}
