package featviz.model;

import java.util.OptionalInt;
import java.util.function.Function;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;

/**
 * The image size a model file fixes, if it fixes one. DL4J files do not record their input type, but two
 * things in them pin the size: a head that flattens feature maps into a dense layer (the first such layer's nIn
 * must equal channels x height x width of the maps it reads: a 0.5.0 MNIST-style CNN, 28x28; VGG, 224x224;
 * found by bisection over square sizes, since the flattened size never shrinks as the image grows), and an input
 * declared flat and reshaped to maps ({@code InputType.convolutionalFlat}: its FeedForwardToCnn preprocessor
 * records height and width). A network with neither (fully convolutional, or ending in a global pooling) takes
 * any size: its size is free, and the size to run it at is the user's or the images' (featviz.cli.ImageSize).
 */
final class InputSize {
    /** The size a free-size model's layers are listed at; no command runs one at it unasked. */
    static final int NOMINAL = 224;
    private static final int LARGEST = 4096;

    private InputSize() {
    }

    /**
     * The square size the file fixes, or empty when its size is free.
     *
     * @param inputPreprocessor the preprocessor in front of the first layer, or null
     */
    static OptionalInt fixedBy(Function<InputType, GraphSpec> structure, int channels, InputPreProcessor inputPreprocessor) {
        OptionalInt head = fromHead(structure, channels);
        if (head.isPresent()) {
            return head; // what featviz's own forward pass depends on (it feeds images past a flat-input reshape)
        }
        if (inputPreprocessor instanceof FeedForwardToCnnPreProcessor flat && flat.getInputHeight() > 0
                && flat.getInputHeight() == flat.getInputWidth()) {
            return OptionalInt.of((int) flat.getInputHeight());
        }
        return OptionalInt.empty();
    }

    /**
     * The square size at which the first flatten-into-dense layer fits: {@link #NOMINAL} when that does (a range
     * of sizes may), or when none does (the file is then refused size by size); otherwise the smallest that does.
     * Empty when there is no such layer.
     */
    static OptionalInt fromHead(Function<InputType, GraphSpec> structure, int channels) {
        GraphSpec probe = structure.apply(InputType.convolutional(NOMINAL, NOMINAL, channels));
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
            return OptionalInt.empty();
        }
        long nIn = ((FeedForwardLayer) NetworkBuilder.unwrap(probe.vertex(dense).layer())).getNIn();
        if (probe.vertex(before).outputType() instanceof InputType.InputTypeConvolutional c
                && c.getChannels() * c.getHeight() * c.getWidth() == nIn) {
            return OptionalInt.of(NOMINAL); // a range of sizes may fit (a 7x7 pool before the head): keep the usual one
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
        return OptionalInt.of(flattened(structure, channels, lo, before) == nIn ? lo : NOMINAL);
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
