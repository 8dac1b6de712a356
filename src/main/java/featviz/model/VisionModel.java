package featviz.model;

import featviz.UsageException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A model featviz can visualise: its structure, weights, preprocessing and layer names. Networks are
 * built from it on demand, truncated after the layers an objective needs.
 */
public final class VisionModel {
    private final String name;
    private final Function<InputType, GraphSpec> structure;
    private final WeightSource weights;
    private final Preprocessing preprocessing;
    private final int[] inputShape; // C, H, W
    private final Map<String, String> aliases;
    private final String weightsLabel;
    private Labels labels = Labels.NONE;
    private final Map<Long, GraphSpec> specs = new HashMap<>();
    private final Map<GraphSpec.Vertex, String> reasons = new java.util.IdentityHashMap<>(); // "" = supported
    private LayerNames names;
    private int renderSize;
    private String defaultLayer;
    private boolean sizeFree;

    /**
     * @param structure the graph's structure at a given input type (DL4J infers shapes per input size)
     * @param weightsLabel what the weights are, for messages and provenance ("imagenet", "random", a file)
     */
    public VisionModel(String name, Function<InputType, GraphSpec> structure, WeightSource weights,
                       Preprocessing preprocessing, int[] inputShape, Map<String, String> aliases, String weightsLabel) {
        preprocessing.check(inputShape[0]);
        this.name = name;
        this.structure = structure;
        this.weights = weights;
        this.preprocessing = preprocessing;
        this.inputShape = inputShape.clone();
        this.aliases = aliases;
        this.weightsLabel = weightsLabel;
        this.renderSize = inputShape[1];
    }

    /**
     * The image size renders default to: the input size, unless the catalogue says otherwise (a 28-pixel
     * Fashion-MNIST network reads best rendered at 112 pixels; it takes any size).
     */
    public int renderSize() {
        return renderSize;
    }

    /**
     * The square image size the model takes, or empty when nothing in it fixes one (a file model that is fully
     * convolutional or ends in a global pooling): which size to run such a model at is for featviz.cli.ImageSize
     * to decide, from --size or the images. Catalogue models fix theirs (the size they were trained at).
     */
    public java.util.OptionalInt fixedSize() {
        return sizeFree ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(inputShape[1]);
    }

    /** Marks a model whose input size nothing fixes; {@link #inputShape()} then holds a nominal size to list layers at. */
    VisionModel withFreeSize() {
        this.sizeFree = true;
        return this;
    }

    /** The layer renders target when none is named (a catalogue model's), or null: file models need --layer. */
    public String defaultLayer() {
        return defaultLayer;
    }

    /** A catalogue model's render size, default layer and class labels. */
    VisionModel withDefaults(ZooModel zoo) {
        this.renderSize = zoo.renderSize();
        this.defaultLayer = zoo.defaultLayer();
        this.labels = Labels.ofCatalogue(zoo.name());
        return this;
    }

    public String name() {
        return name;
    }

    /** Class labels for the output layer ({@link Labels#NONE}: none), as the loader finds them. */
    VisionModel withLabels(Labels labels) {
        this.labels = labels;
        return this;
    }

    /** The names of the output layer's classes, by index; empty when the model has none. */
    public Labels labels() {
        return labels;
    }

    /**
     * The vertex whose units are the model's classes at the given input size, or null when there is none there
     * (dense layers fix the input size of some models). One of the vertices that nothing else reads and that
     * output one value per unit, with as many units as the model has labels (when it has any): an output layer
     * or a softmax if there is one (a graph may also end in a pooled feature), else the last in network order.
     * What {@code class(NAME)} maximises and {@code predict} reads.
     */
    public String outputLayerAt(int height, int width) {
        GraphSpec spec = spec(height, width);
        java.util.Set<String> read = new java.util.HashSet<>();
        spec.vertices().forEach(v -> read.addAll(v.inputs()));
        List<GraphSpec.Vertex> vectors = spec.vertices().stream()
                .filter(v -> !read.contains(v.name()) && !v.name().equals(spec.inputName())
                        && v.outputType() instanceof InputType.InputTypeFeedForward f
                        && (labels.isEmpty() || f.getSize() == labels.size()))
                .toList();
        for (GraphSpec.Vertex v : vectors) {
            Layer layer = v.layer();
            if (layer instanceof org.deeplearning4j.nn.conf.layers.OutputLayer
                    || layer instanceof BaseLayer b && b.getActivationFn() instanceof ActivationSoftmax) {
                return v.name();
            }
        }
        return vectors.isEmpty() ? null : vectors.get(vectors.size() - 1).name();
    }

    /**
     * {@link #outputLayerAt}, found at the model's own size when the asked size does not fit its dense head: the
     * caller's size check then says that this size does not fit rather than that there is no output layer.
     */
    public String outputLayer(int height, int width) {
        String atSize = outputLayerAt(height, width);
        return atSize != null ? atSize : outputLayerAt(inputShape[1], inputShape[2]);
    }

    public String weightsLabel() {
        return weightsLabel;
    }

    public String weightsIdentity() {
        return weights.identity();
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /**
     * Channels, height, width the model was made for; for a free-size model ({@link #fixedSize()} empty) the
     * height and width are only the nominal size its layers are listed at, not a size to run images at.
     */
    public int[] inputShape() {
        return inputShape.clone();
    }

    public GraphSpec spec(int height, int width) {
        long key = ((long) height << 32) | width;
        return specs.computeIfAbsent(key,
                k -> structure.apply(InputType.convolutional(height, width, inputShape[0])));
    }

    private GraphSpec defaultSpec() {
        return spec(inputShape[1], inputShape[2]);
    }

    public LayerNames names() {
        if (names == null) {
            names = new LayerNames(defaultSpec().vertices().stream().map(GraphSpec.Vertex::name).toList(), aliases);
        }
        return names;
    }

    /** The vertex a user's layer name means (Keras names for zoo models), or a UsageException. */
    public String resolve(String layer) {
        return names().resolve(layer, name);
    }

    public String displayName(String vertex) {
        return names().display(vertex);
    }

    /** Every vertex in network order, at the given input size. */
    public List<LayerInfo> layers(int height, int width) {
        GraphSpec spec = spec(height, width);
        List<LayerInfo> rows = new ArrayList<>();
        Map<String, Boolean> reachable = new HashMap<>();
        for (GraphSpec.Vertex v : spec.vertices()) {
            boolean ok = v.outputType() != null && reason(spec, v) == null
                    && v.inputs().stream().allMatch(reachable::get);
            reachable.put(v.name(), ok);
            if (v.name().equals(spec.inputName())) {
                continue;
            }
            rows.add(new LayerInfo(displayName(v.name()), v.typeName(), shapeOf(v.outputType()), ok));
        }
        return rows;
    }

    /**
     * Why the layers featviz cannot differentiate through are no targets (nor is anything after them), one
     * line each, in network order: {@link #layers} marks them, this says why.
     */
    public List<String> unsupported(int height, int width) {
        GraphSpec spec = spec(height, width);
        return spec.vertices().stream().map(v -> reason(spec, v)).filter(java.util.Objects::nonNull).toList();
    }

    /** {@link NetworkBuilder#unsupportedReason}, once per vertex (it builds the vertex's ops to find out). */
    private String reason(GraphSpec spec, GraphSpec.Vertex v) {
        String r = reasons.computeIfAbsent(v, k -> {
            String why = NetworkBuilder.unsupportedReason(k, spec);
            return why == null ? "" : why;
        });
        return r.isEmpty() ? null : r;
    }

    /** Output shape of a vertex for one image: (C, H, W) or (N). */
    public long[] outputShape(String vertex, int height, int width) {
        GraphSpec.Vertex v = spec(height, width).vertex(vertex);
        if (v == null) {
            throw new UsageException("no layer " + vertex + " in " + name);
        }
        if (v.outputType() == null) {
            throw new UsageException(name + " cannot take " + height + "x" + width + " images up to "
                    + displayName(vertex) + " (a layer on the way does not fit that size); choose another --size");
        }
        return shapeOf(v.outputType());
    }

    private static long[] shapeOf(InputType t) {
        if (t == null) {
            return new long[0];
        }
        if (t instanceof InputType.InputTypeConvolutional c) {
            return new long[] {c.getChannels(), c.getHeight(), c.getWidth()};
        }
        if (t instanceof InputType.InputTypeFeedForward f) {
            return new long[] {f.getSize()};
        }
        return t.getShape(false);
    }

    /** A network truncated after the given vertices, taking RGB images in [0, 1]. */
    public ImageNetwork network(Collection<String> vertices, DataType dataType, int height, int width) {
        GraphSpec spec = spec(height, width);
        List<String> layers = vertices.stream().filter(v -> !v.equals(ImageNetwork.IMAGE)).toList();
        Network net = NetworkBuilder.build(spec, weights, layers, dataType);
        return new ImageNetwork(net, preprocessing, inputShape[0], layers);
    }
}
