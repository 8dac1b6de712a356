package featviz.objective;

/**
 * How {@link ObjectiveParser} learns about the model without depending on it: the caller maps the names
 * users type (Keras names such as {@code block4_conv1}) to graph vertices, and knows their sizes.
 */
public interface LayerResolver {

    /**
     * The vertex for a user's layer name.
     *
     * @throws featviz.UsageException for an unknown layer, with a message of the caller's choosing (the parser
     *     adds the column and the expression)
     */
    String vertex(String userLayerName);

    /** The number of channels (units, for a dense layer) of a vertex returned by {@link #vertex}. */
    long channels(String vertex);

    /**
     * Where the pre-activation scores of a vertex can be read (class logits before the softmax of a
     * classifier); the vertex itself when it applies no activation.
     */
    default String logits(String vertex) {
        return vertex;
    }

    /** The class labels of the model's output layer, by index; empty when the model has none. */
    default java.util.List<String> labels() {
        return java.util.List.of();
    }

    /**
     * The index of the class a label names (forgiving about case and separators).
     *
     * @throws featviz.UsageException for an unknown or ambiguous label, naming the closest labels
     */
    default int classIndex(String label) {
        throw new featviz.UsageException("no class labels");
    }

    /**
     * The layer (a name as users type it) whose units are the model's classes, for {@code class(NAME)}.
     *
     * @throws featviz.UsageException when the model has none
     */
    default String outputLayer() {
        throw new featviz.UsageException("the model has no output layer of classes; write class(LAYER:INDEX)");
    }
}
