package featviz.model;

import featviz.model.op.BlockedRun;
import featviz.model.op.Conv2d;
import featviz.model.op.Identity;
import featviz.model.op.Op;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
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
 * <p><b>Blocked runs.</b> A path of convolutions, ReLUs, max pools and pass-throughs in which each node's output
 * is read by the next node alone and none is a target (VGG19 up to the layer before the target; each ResNet
 * bottleneck's main branch) becomes one {@link BlockedRun}: computed in oneDNN's blocked layouts from end to end,
 * ReLUs fused into the convolutions. Its first node computes the whole run and the others pass its output on,
 * as a folded BatchNorm's node does; all but the last are reported as not holding their own output.
 */
final class Fusion {
    /**
     * {@code -Dfeatviz.blocked=false} builds networks without {@link BlockedRun}s, op by op as before: for the
     * benchmark's comparison and the tests that check the two compute the same.
     */
    static final String BLOCKED_PROPERTY = "featviz.blocked";

    private Fusion() {
    }

    /** An inference-mode BatchNorm as {@code y[c] = x[c] * scale[c] + shift[c]}. */
    record Affine(INDArray scale, INDArray shift) {
    }

    /**
     * The nodes with every {@link BlockedRun} made (see the class comment); the names of the nodes whose output
     * the run no longer holds are added to {@code notOwnOutput}.
     */
    static List<Network.Node> blockedRuns(List<Network.Node> nodes, Collection<String> targets,
                                          Set<String> notOwnOutput) {
        if (!Boolean.parseBoolean(System.getProperty(BLOCKED_PROPERTY, "true"))) {
            return nodes;
        }
        int n = nodes.size();
        int[] readers = new int[n];
        int[] reader = new int[n]; // the node reading it, when there is one
        for (int i = 0; i < n; i++) {
            for (int k : nodes.get(i).inputs()) {
                readers[k]++;
                reader[k] = i;
            }
        }
        List<Network.Node> result = new ArrayList<>(nodes);
        boolean[] taken = new boolean[n];
        for (int first = 1; first < n; first++) {
            if (taken[first] || !runnable(nodes.get(first), targets)) {
                continue;
            }
            List<Integer> run = new ArrayList<>(List.of(first));
            int last = first;
            while (readers[last] == 1 && runnable(nodes.get(reader[last]), targets)) {
                last = reader[last];
                run.add(last);
            }
            BlockedRun op = BlockedRun.of(run.stream().map(i -> nodes.get(i).op()).toList());
            if (op == null) {
                continue;
            }
            Network.Node head = nodes.get(first);
            result.set(first, new Network.Node(head.name(), op, head.inputs()));
            for (int i : run) {
                taken[i] = true;
                if (i != first) {
                    Network.Node node = nodes.get(i);
                    result.set(i, new Network.Node(node.name(), new Identity("in the blocked run of " + head.name()),
                            node.inputs()));
                }
                if (i != last) {
                    notOwnOutput.add(nodes.get(i).name());
                }
            }
        }
        return result;
    }

    /** Whether a node can be part of a blocked run: one input (not the network's input node), not a target. */
    private static boolean runnable(Network.Node node, Collection<String> targets) {
        return node.inputs().length == 1 && !targets.contains(node.name()) && BlockedRun.joins(node.op());
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
     * The convolution followed by the BatchNorm, as one convolution. The arithmetic is done in double and
     * the result cast to {@code dt}; the convolution's own arrays are left untouched (they may be a loaded
     * model's live parameters).
     */
    static Conv2d fold(Op convolution, Affine bn, DataType dt) {
        if (!(convolution instanceof Conv2d conv)) {
            throw new IllegalStateException("cannot fold a BatchNorm into " + convolution.describe());
        }
        long outC = conv.outChannels();
        INDArray scale = bn.scale().castTo(DataType.DOUBLE).reshape(outC);
        INDArray shift = bn.shift().castTo(DataType.DOUBLE).reshape(outC);
        INDArray w = conv.weights().castTo(DataType.DOUBLE);
        INDArray folded = Nd4j.createUninitialized(DataType.DOUBLE, w.shape());
        Nd4j.getExecutioner().exec(new BroadcastMulOp(w, scale, folded, 0));
        INDArray bias = conv.bias() == null ? shift.dup() : conv.bias().castTo(DataType.DOUBLE).reshape(outC).mul(scale).addi(shift);
        return conv.withParameters(folded.castTo(dt), bias.castTo(dt));
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
