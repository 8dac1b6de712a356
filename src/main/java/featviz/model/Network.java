package featviz.model;

import featviz.model.op.BlockedGraph;
import featviz.model.op.ChannelSubset;
import featviz.model.op.Memory;
import featviz.model.op.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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

    /**
     * Nodes computed together, blocked ({@link Fusion#blockedRegions}): they read node {@code entry} only from
     * outside, and only node {@code exit}, the last of them, is read outside.
     */
    public record Region(int[] nodes, int entry, int exit, BlockedGraph graph) {
    }

    private final List<Node> nodes;
    private final Map<String, Integer> index = new HashMap<>();
    private final Set<String> notOwnOutput;
    private final DataType dataType;
    private final INDArray[] outputs;
    private final boolean[] tapped; // activations handed to the caller by the last forward pass: kept until clear()
    private final Op[] restricted; // per node: a version computing only some channels, or null (the node's own op)
    private boolean ownsInput; // outputs[0] is a cast of the caller's input, made here
    private final List<Region> regions;
    private final int[] regionOf; // per node: the index of its region, or -1
    private final boolean[] ranBlocked; // per region: whether the last forward pass computed it blocked
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
        this(nodes, dataType, notOwnOutput, List.of());
    }

    /** @param regions nodes computed blocked, together, where they can be (their inner nodes are in notOwnOutput) */
    Network(List<Node> nodes, DataType dataType, Set<String> notOwnOutput, List<Region> regions) {
        this.nodes = List.copyOf(nodes);
        this.regions = List.copyOf(regions);
        this.regionOf = new int[nodes.size()];
        Arrays.fill(regionOf, -1);
        for (int r = 0; r < regions.size(); r++) {
            for (int i : regions.get(r).nodes()) {
                regionOf[i] = r;
            }
        }
        this.ranBlocked = new boolean[regions.size()];
        this.notOwnOutput = Set.copyOf(notOwnOutput);
        this.dataType = dataType;
        this.outputs = new INDArray[nodes.size()];
        this.tapped = new boolean[nodes.size()];
        this.restricted = new Op[nodes.size()];
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

    /**
     * Makes {@code node} compute only {@code channels} of its output (the others read as zero), or all of
     * them again when {@code channels} is null. Applies only to a node no other node reads (the last layer
     * of a truncated network) whose op is a convolution with at most a ReLU after it; returns whether it
     * applied. The caller promises to read, and give gradients to, those channels only.
     */
    public boolean restrictChannels(String node, long[] channels) {
        int i = indexOf(node);
        clear();
        restricted[i] = null;
        if (channels == null || nodes.stream().anyMatch(n -> Arrays.stream(n.inputs()).anyMatch(k -> k == i))) {
            return false;
        }
        restricted[i] = ChannelSubset.of(nodes.get(i).op(), channels);
        return restricted[i] != null;
    }

    /** The op node i runs: its own, or the channel-restricted version of it. */
    private Op op(int i) {
        return restricted[i] != null ? restricted[i] : nodes.get(i).op();
    }

    /**
     * Runs the whole (truncated) network and returns the activations of the named nodes. They stay valid
     * until {@link #clear}; everything else the pass computes is freed during {@link #backward}. A pass that is
     * never cleared is left to the garbage collector.
     *
     * <p>The pass runs outside any ND4J workspace, whatever the caller has open: a workspace keeps every array
     * of a step until the step ends, while here each array is freed at its last use (see {@link Memory}).
     */
    public Map<String, INDArray> forward(INDArray input, Collection<String> taps) {
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            outputs[0] = input.dataType() == dataType ? input : input.castTo(dataType);
            ownsInput = outputs[0] != input;
            for (int i = 1; i < nodes.size(); i++) {
                Node node = nodes.get(i);
                int r = regionOf[i];
                if (r >= 0) {
                    Region region = regions.get(r);
                    if (i == region.nodes()[0]) {
                        long t0 = forwardNanos == null ? 0 : System.nanoTime();
                        INDArray y = region.graph().forward(outputs[region.entry()]);
                        ranBlocked[r] = y != null;
                        if (ranBlocked[r]) {
                            outputs[region.exit()] = y;
                        }
                        if (forwardNanos != null) {
                            forwardNanos[i] += System.nanoTime() - t0;
                        }
                    }
                    if (ranBlocked[r]) {
                        continue; // computed with the region
                    }
                }
                INDArray[] in = new INDArray[node.inputs().length];
                for (int k = 0; k < in.length; k++) {
                    in[k] = outputs[node.inputs()[k]];
                }
                long t0 = forwardNanos == null ? 0 : System.nanoTime();
                outputs[i] = op(i).forward(in);
                if (forwardNanos != null) {
                    forwardNanos[i] += System.nanoTime() - t0;
                }
            }
        }
        Arrays.fill(tapped, false);
        Map<String, INDArray> result = new LinkedHashMap<>();
        for (String tap : taps) {
            int i = indexOf(tap);
            tapped[i] = true;
            result.put(tap, outputs[i]);
        }
        return result;
    }

    /**
     * Back-propagates gradients given at some nodes (d objective / d activation) to the input, through
     * the last {@link #forward} pass. Gradients arriving at a node from several consumers are summed.
     *
     * <p>Walking back, each node's activation and saved state are freed once its backward pass is done (all
     * its consumers come later in node order, so they are done too), and each gradient once it has been
     * passed on. The given gradients stay the caller's: they may be overwritten, never freed. The result is
     * a fresh array in the caller's workspace, if one is open.
     */
    public INDArray backward(Map<String, INDArray> gradients) {
        INDArray[] grads = new INDArray[nodes.size()];
        INDArray[] given = gradients.values().toArray(INDArray[]::new);
        INDArray result;
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            for (Map.Entry<String, INDArray> e : gradients.entrySet()) {
                int i = indexOf(e.getKey());
                grads[i] = accumulate(grads[i], e.getValue(), given);
            }
            for (int i = nodes.size() - 1; i >= 1; i--) {
                Node node = nodes.get(i);
                int r = regionOf[i];
                if (r >= 0 && ranBlocked[r]) {
                    Region region = regions.get(r);
                    if (grads[i] != null) { // only the exit gets a gradient: nothing else reads the others
                        long t0 = backwardNanos == null ? 0 : System.nanoTime();
                        INDArray gradIn = region.graph().backward(grads[i]);
                        if (backwardNanos != null) {
                            backwardNanos[i] += System.nanoTime() - t0;
                        }
                        grads[region.entry()] = accumulate(grads[region.entry()], gradIn, given);
                        releaseGradient(grads[i], given);
                        grads[i] = null;
                    }
                    if (i == region.nodes()[0]) {
                        region.graph().clear();
                    }
                    if (!tapped[i]) {
                        releaseOutput(i);
                    }
                    continue;
                }
                if (grads[i] != null) {
                    long t0 = backwardNanos == null ? 0 : System.nanoTime();
                    INDArray[] inGrads = op(i).backward(grads[i]);
                    if (backwardNanos != null) {
                        backwardNanos[i] += System.nanoTime() - t0;
                    }
                    for (int k = 0; k < inGrads.length; k++) {
                        int j = node.inputs()[k];
                        grads[j] = accumulate(grads[j], inGrads[k], given);
                    }
                    if (!Memory.sharesBuffer(grads[i], inGrads)) {
                        releaseGradient(grads[i], given);
                    }
                    grads[i] = null;
                }
                op(i).clear();
                if (!tapped[i]) {
                    releaseOutput(i);
                }
            }
            if (grads[0] == null) {
                throw new IllegalStateException("the objective does not depend on the input");
            }
            result = grads[0];
        }
        // One image-sized copy into the caller's scope, so the caller's own memory discipline applies to it.
        INDArray copy = result.dup();
        releaseGradient(result, given);
        return copy;
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

    /** Frees what the last pass still holds: the tapped activations, and everything when backward did not run. */
    public void clear() {
        for (int i = 1; i < nodes.size(); i++) {
            op(i).clear();
        }
        regions.forEach(r -> r.graph().clear());
        for (int i = outputs.length - 1; i >= 1; i--) {
            releaseOutput(i);
        }
        if (ownsInput) {
            Memory.release(outputs[0]);
        }
        outputs[0] = null;
        ownsInput = false;
    }

    /**
     * Frees node i's activation unless another node still holds the same buffer: an earlier node whose
     * output a pass-through or in-place op handed on, or a later tapped node that an in-place op wrote into.
     */
    private void releaseOutput(int i) {
        INDArray a = outputs[i];
        outputs[i] = null;
        if (a == null) {
            return;
        }
        for (INDArray other : outputs) {
            if (other != null && Memory.sharesBuffer(a, other)) {
                return;
            }
        }
        Memory.release(a);
    }

    private static void releaseGradient(INDArray g, INDArray[] given) {
        if (!Memory.sharesBuffer(g, given)) {
            Memory.release(g);
        }
    }

    /**
     * Sums two gradients arriving at one node. A gradient array sits in one node's slot at a time (ops hand
     * on the array they were given to one input at most), so one that is not the caller's can take the sum
     * in place.
     */
    private static INDArray accumulate(INDArray sum, INDArray g, INDArray[] given) {
        if (sum == null) {
            return g;
        }
        if (!Memory.sharesBuffer(sum, given)) {
            sum.addi(g);
            releaseGradient(g, given);
            return sum;
        }
        if (!Memory.sharesBuffer(g, given)) {
            return g.addi(sum);
        }
        return sum.add(g);
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

    /** The nodes computed blocked together where they can be, by name, region by region. */
    public List<List<String>> blockedRegions() {
        List<List<String>> result = new ArrayList<>();
        for (Region r : regions) {
            result.add(Arrays.stream(r.nodes()).mapToObj(i -> nodes.get(i).name()).toList());
        }
        return result;
    }

    /** Per region, whether the last forward pass computed it blocked (rather than node by node). */
    public List<Boolean> ranBlocked() {
        List<Boolean> result = new ArrayList<>();
        for (boolean b : ranBlocked) {
            result.add(b);
        }
        return result;
    }

    /** Nodes in network order, as an ordered list of names. */
    public List<String> nodeNames() {
        List<String> names = new ArrayList<>();
        nodes.forEach(n -> names.add(n.name()));
        return names;
    }
}
