package featviz.model;

import featviz.model.op.Op;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A frozen CNN as featviz runs it: DL4J's layers re-expressed as {@link Op}s, truncated after the layers
 * an objective looks at, with a backward pass that computes only the gradient with respect to the input.
 *
 * <p>The input is the network's own input (already preprocessed); {@link VisionModel} puts the
 * preprocessing in front. Node names are the DL4J vertex names.
 */
public final class Network {

    /** One vertex: its op and the indexes of the nodes it reads (node 0 is the input). */
    public record Node(String name, Op op, int[] inputs) {
    }

    private final List<Node> nodes;
    private final Map<String, Integer> index = new HashMap<>();
    private final Set<String> notOwnOutput;
    private final DataType dataType;
    private final INDArray[] outputs;
    private long[] forwardNanos; // per node, when profiling
    private long[] backwardNanos;

    Network(List<Node> nodes, DataType dataType) {
        this(nodes, dataType, Set.of());
    }

    /**
     * @param notOwnOutput nodes whose op computes more than the vertex they are named after (a convolution
     *     with the BatchNorm after it folded in, see {@link Fusion}): their outputs cannot be read
     */
    Network(List<Node> nodes, DataType dataType, Set<String> notOwnOutput) {
        this.nodes = List.copyOf(nodes);
        this.notOwnOutput = Set.copyOf(notOwnOutput);
        this.dataType = dataType;
        this.outputs = new INDArray[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            index.put(nodes.get(i).name(), i);
        }
    }

    public DataType dataType() {
        return dataType;
    }

    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    public boolean has(String node) {
        return index.containsKey(node);
    }

    /** Runs the whole (truncated) network and returns the activations of the named nodes. */
    public Map<String, INDArray> forward(INDArray input, Collection<String> taps) {
        outputs[0] = input.dataType() == dataType ? input : input.castTo(dataType);
        for (int i = 1; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            INDArray[] in = new INDArray[node.inputs().length];
            for (int k = 0; k < in.length; k++) {
                in[k] = outputs[node.inputs()[k]];
            }
            long t0 = forwardNanos == null ? 0 : System.nanoTime();
            outputs[i] = node.op().forward(in);
            if (forwardNanos != null) {
                forwardNanos[i] += System.nanoTime() - t0;
            }
        }
        Map<String, INDArray> result = new LinkedHashMap<>();
        for (String tap : taps) {
            result.put(tap, outputs[indexOf(tap)]);
        }
        return result;
    }

    /**
     * Back-propagates gradients given at some nodes (d objective / d activation) to the input, through
     * the last {@link #forward} pass. Gradients arriving at a node from several consumers are summed.
     */
    public INDArray backward(Map<String, INDArray> gradients) {
        INDArray[] grads = new INDArray[nodes.size()];
        int last = 0;
        for (Map.Entry<String, INDArray> e : gradients.entrySet()) {
            int i = indexOf(e.getKey());
            grads[i] = accumulate(grads[i], e.getValue());
            last = Math.max(last, i);
        }
        for (int i = last; i >= 1; i--) {
            if (grads[i] == null) {
                continue;
            }
            Node node = nodes.get(i);
            long t0 = backwardNanos == null ? 0 : System.nanoTime();
            INDArray[] inGrads = node.op().backward(grads[i]);
            if (backwardNanos != null) {
                backwardNanos[i] += System.nanoTime() - t0;
            }
            for (int k = 0; k < inGrads.length; k++) {
                int j = node.inputs()[k];
                grads[j] = accumulate(grads[j], inGrads[k]);
            }
        }
        if (grads[0] == null) {
            throw new IllegalStateException("the objective does not depend on the input");
        }
        return grads[0];
    }

    /** Starts accumulating the time each node's forward and backward pass takes (for the benchmark). */
    public void startProfiling() {
        forwardNanos = new long[nodes.size()];
        backwardNanos = new long[nodes.size()];
    }

    /** Accumulated forward and backward nanoseconds per node, in node order; empty when not profiling. */
    public Map<String, long[]> profile() {
        Map<String, long[]> result = new LinkedHashMap<>();
        if (forwardNanos != null) {
            for (int i = 1; i < nodes.size(); i++) {
                result.put(nodes.get(i).name(), new long[] {forwardNanos[i], backwardNanos[i]});
            }
        }
        return result;
    }

    /** Forgets the arrays the last pass kept for its backward pass. */
    public void clear() {
        java.util.Arrays.fill(outputs, null);
        nodes.forEach(n -> n.op().clear());
    }

    private static INDArray accumulate(INDArray sum, INDArray g) {
        // Never in place: an identity op hands on the very array it was given.
        return sum == null ? g : sum.add(g);
    }

    /** The index of a node whose output can be read or given a gradient. */
    private int indexOf(String node) {
        Integer i = index.get(node);
        if (i == null) {
            throw new IllegalArgumentException("no node " + node + " in the truncated network");
        }
        if (notOwnOutput.contains(node)) {
            throw new IllegalArgumentException("node " + node + " was fused with the layer after it; "
                    + "build the network with it as a target to read it");
        }
        return i;
    }

    /** Nodes in network order, as an ordered list of names. */
    public List<String> nodeNames() {
        List<String> names = new ArrayList<>();
        nodes.forEach(n -> names.add(n.name()));
        return names;
    }
}
