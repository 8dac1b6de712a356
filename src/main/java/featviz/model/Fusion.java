package featviz.model;

import featviz.model.op.BlockedGraph;
import featviz.model.op.Conv2d;
import featviz.model.op.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rewrites that {@link NetworkBuilder} applies to a frozen network to make its steps cheaper, without
 * changing the output of any vertex a caller can read (the build targets).
 *
 * <p><b>BatchNorm folding.</b> At inference a BatchNorm is a per-channel affine map
 * {@code y = x * scale + shift}; after a convolution it can be folded into the convolution's
 * parameters ({@code W' = W * scale} per output channel, {@code b' = b * scale + shift}). That saves a
 * full pass over the activation forward and another backward (ResNet50 has 53 of them), plus the
 * activation-sized array each one allocates. It is done only where the raw convolution output is read
 * by nothing but the BatchNorm and the convolution is not itself a target: the convolution's node then
 * outputs the normalised values, and the BatchNorm's node, which still exists so targets, taps and
 * profiles find it by name, passes them on ({@link featviz.model.op.Identity}). The convolution's node is
 * reported to {@link Network} as not holding its own output, so nothing can read it by mistake.
 *
 * <p><b>Standalone ReLU in place.</b> A DL4J ActivationLayer reads another layer's output, so by default
 * its ReLU copies. It may overwrite the array instead when that array has no other reader, is not the
 * network's input and is not a target: {@link #inputOwned} decides that, following pass-throughs (whose
 * output is their input's array) back to the op that made the array.
 *
 * <p><b>Blocked regions.</b> A set of convolutions, ReLUs, max pools, residual sums and pass-throughs, none a
 * target, that reads one array from outside and is read from outside only through its last node (VGG19 up to the
 * layer before the target; ResNet-50 from its first convolution to the sum before the target) is computed by one
 * {@link BlockedGraph}: in oneDNN's blocked layouts from end to end, ReLUs fused into the primitives before them.
 * {@link Network} runs it in place of the nodes, or the nodes one by one where it declines; its inner nodes are
 * reported as not holding their own output, so that nothing reads what a blocked pass does not make.
 */
final class Fusion {
    /**
     * {@code -Dfeatviz.blocked=false} builds networks without {@link BlockedGraph}s, op by op as before: for the
     * benchmark's comparison and the tests that check the two compute the same.
     */
    static final String BLOCKED_PROPERTY = "featviz.blocked";

    private Fusion() {
    }

    /** An inference-mode BatchNorm as {@code y[c] = x[c] * scale[c] + shift[c]}. */
    record Affine(INDArray scale, INDArray shift) {
    }

    /**
     * The blocked regions of these nodes (see the class comment): each a set of nodes, in order, that
     * {@link BlockedGraph#joins}, none a target, reading one node from outside ({@code entry}) and read from outside
     * only through its last node. Greedy, in node order: from each node not yet taken, every later node whose
     * inputs are all in the region (or its entry) joins it; then the region is cut back to its longest prefix
     * with a single exit. The names of the region's other nodes are added to {@code notOwnOutput}.
     */
    static List<Network.Region> blockedRegions(List<Network.Node> nodes, Collection<String> targets,
                                               Set<String> notOwnOutput) {
        List<Network.Region> regions = new ArrayList<>();
        if (!Boolean.parseBoolean(System.getProperty(BLOCKED_PROPERTY, "true"))) {
            return regions;
        }
        int n = nodes.size();
        List<List<Integer>> readers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            readers.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            for (int k : nodes.get(i).inputs()) {
                readers.get(k).add(i);
            }
        }
        boolean[] taken = new boolean[n];
        for (int first = 1; first < n; first++) {
            Network.Node start = nodes.get(first);
            if (taken[first] || !joinable(start, targets) || start.inputs().length != 1) {
                continue;
            }
            int entry = start.inputs()[0];
            List<Integer> region = new ArrayList<>(List.of(first));
            Set<Integer> in = new HashSet<>(region);
            for (int v = first + 1; v < n; v++) {
                int[] inputs = nodes.get(v).inputs();
                if (!taken[v] && joinable(nodes.get(v), targets)
                        && Arrays.stream(inputs).allMatch(k -> in.contains(k) || k == entry)
                        && Arrays.stream(inputs).anyMatch(in::contains)) {
                    region.add(v);
                    in.add(v);
                }
            }
            for (int size = region.size(); size >= 1; size--) {
                List<Integer> prefix = region.subList(0, size);
                Set<Integer> members = new HashSet<>(prefix);
                List<Integer> exits = prefix.stream()
                        .filter(v -> readers.get(v).stream().anyMatch(r -> !members.contains(r))).toList();
                int last = prefix.get(size - 1);
                if (exits.size() != 1 || exits.get(0) != last) {
                    continue;
                }
                List<int[]> local = new ArrayList<>();
                List<Integer> order = new ArrayList<>(prefix);
                for (int v : prefix) {
                    local.add(Arrays.stream(nodes.get(v).inputs()).map(k -> k == entry ? -1 : order.indexOf(k))
                            .toArray());
                }
                BlockedGraph graph = BlockedGraph.of(prefix.stream().map(v -> nodes.get(v).op()).toList(), local);
                if (graph == null) {
                    break;
                }
                regions.add(new Network.Region(prefix.stream().mapToInt(Integer::intValue).toArray(), entry, last, graph));
                for (int v : prefix) {
                    taken[v] = true;
                    if (v != last) {
                        notOwnOutput.add(nodes.get(v).name());
                    }
                }
                break;
            }
        }
        return regions;
    }

    /** Whether a node can be part of a blocked region: not the network's input, not a target, an op that joins. */
    private static boolean joinable(Network.Node node, Collection<String> targets) {
        return node.inputs().length > 0 && !targets.contains(node.name())
                && BlockedGraph.joins(node.op(), node.inputs().length);
    }

    /** How many times each vertex's output is read by the other vertices that get built. */
    static Map<String, Integer> readers(GraphSpec spec, Set<String> built) {
        Map<String, Integer> readers = new HashMap<>();
        for (GraphSpec.Vertex v : spec.vertices()) {
            if (built.contains(v.name())) {
                v.inputs().forEach(in -> readers.merge(in, 1, Integer::sum));
            }
        }
        return readers;
    }

    /**
     * The BatchNorms that can be folded into the convolution before them, as convolution vertex to
     * BatchNorm vertex: a plain NCHW convolution without activation, read by the BatchNorm only, not a
     * target, followed by a plain NCHW BatchNorm.
     */
    static Map<String, String> foldableBatchNorms(GraphSpec spec, Set<String> built, Map<String, Integer> readers,
                                                  Collection<String> targets) {
        Map<String, String> folds = new LinkedHashMap<>();
        for (GraphSpec.Vertex bn : spec.vertices()) {
            if (!built.contains(bn.name()) || bn.layer() == null || bn.layer().getClass() != BatchNormalization.class
                    || bn.preProcessor() != null || bn.inputs().size() != 1 || !nchw(((BatchNormalization) bn.layer()).getCnn2DFormat())) {
                continue;
            }
            GraphSpec.Vertex conv = spec.vertex(bn.inputs().get(0));
            if (conv.layer() == null || conv.layer().getClass() != ConvolutionLayer.class || conv.preProcessor() != null
                    || conv.name().equals(spec.inputName()) || targets.contains(conv.name())
                    || readers.getOrDefault(conv.name(), 0) != 1) {
                continue;
            }
            ConvolutionLayer c = (ConvolutionLayer) conv.layer();
            if (!isIdentity(c.getActivationFn()) || !nchw(c.getCnn2dDataFormat())) {
                continue;
            }
            folds.put(conv.name(), bn.name());
        }
        return folds;
    }

    /**
     * The convolution followed by the BatchNorm, as one convolution. Each product is taken in double and rounded
     * once to {@code dt}; the convolution's own arrays are left untouched (they may be a loaded model's live
     * parameters). The weights are scaled in a Java array: through ND4J in double, the four whole-network
     * temporaries (two double copies, 400 MB for ResNet-50) cost 0.9 s of its 3.5 s start-up, mostly libnd4j
     * zeroing fresh buffers.
     */
    static Conv2d fold(Op convolution, Affine bn, DataType dt) {
        if (!(convolution instanceof Conv2d conv)) {
            throw new IllegalStateException("cannot fold a BatchNorm into " + convolution.describe());
        }
        long outC = conv.outChannels();
        INDArray scale = bn.scale().castTo(DataType.DOUBLE).reshape(outC);
        INDArray shift = bn.shift().castTo(DataType.DOUBLE).reshape(outC);
        INDArray folded = scaleFilters(conv.weights(), scale.toDoubleVector(), dt);
        INDArray bias = conv.bias() == null ? shift.dup() : conv.bias().castTo(DataType.DOUBLE).reshape(outC).mul(scale).addi(shift);
        return conv.withParameters(folded, bias.castTo(dt));
    }

    /** {@code a}, or a dense row-major copy when its buffer holds anything else too. */
    private static INDArray dense(INDArray a) {
        boolean dense = a.ordering() == 'c' && !a.isView() && a.offset() == 0 && a.data().length() == a.length();
        return dense ? a : a.dup('c');
    }

    /** {@code weights} (filters along dimension 0) with filter o multiplied by {@code scale[o]}, in {@code dt}. */
    private static INDArray scaleFilters(INDArray weights, double[] scale, DataType dt) {
        long[] shape = weights.shape();
        int perFilter = (int) (weights.length() / scale.length);
        if (dt == DataType.FLOAT) {
            float[] w = dense(weights.castTo(DataType.FLOAT)).data().asFloat();
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (w[i] * scale[i / perFilter]);
            }
            return Nd4j.createFromArray(w).reshape('c', shape);
        }
        // Double weights: gradient checks and tests, where speed does not matter.
        double[] w = dense(weights.castTo(DataType.DOUBLE)).data().asDouble();
        for (int i = 0; i < w.length; i++) {
            w[i] *= scale[i / perFilter];
        }
        return Nd4j.createFromArray(w).reshape('c', shape).castTo(dt);
    }

    /**
     * Whether the array vertex {@code vertex} outputs belongs to its one reader alone, which may then
     * overwrite it: the chain of pass-throughs ending at {@code vertex} (an op whose output may be its
     * input array) leads back to the op that made the array, and every node on the way, that op included,
     * is read once, is not a target, is not the network's input and does not read its output again in its
     * backward pass ({@link Op#backwardReadsOutput}, a ReLU).
     *
     * @param ops the ops built so far (every vertex before the reader, in topological order)
     */
    static boolean inputOwned(GraphSpec spec, String vertex, Map<String, Op> ops, Map<String, Integer> readers,
                              Collection<String> targets) {
        String name = vertex;
        while (true) {
            if (name.equals(spec.inputName()) || targets.contains(name) || readers.getOrDefault(name, 0) != 1) {
                return false;
            }
            Op op = ops.get(name);
            if (op == null || op.backwardReadsOutput()) {
                return false;
            }
            if (!op.outputIsInput()) {
                return true;
            }
            List<String> inputs = spec.vertex(name).inputs();
            if (inputs.size() != 1) {
                return false;
            }
            name = inputs.get(0);
        }
    }

    static boolean isIdentity(IActivation fn) {
        return fn == null || fn instanceof ActivationIdentity;
    }

    private static boolean nchw(CNN2DFormat format) {
        return format == null || format == CNN2DFormat.NCHW;
    }
}
