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
}
