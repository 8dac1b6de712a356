package featviz.model;

import featviz.UsageException;
import featviz.model.op.Activation;
import featviz.model.op.Chain;
import featviz.model.op.ChannelAffine;
import featviz.model.op.Concat;
import featviz.model.op.Conv2d;
import featviz.model.op.Dense;
import featviz.model.op.Crop;
import featviz.model.op.LibNd4jConvolution;
import featviz.model.op.ElementWise;
import featviz.model.op.GlobalPool;
import featviz.model.op.Identity;
import featviz.model.op.L2Normalize;
import featviz.model.op.LocalResponseNorm;
import featviz.model.op.LowerBound;
import featviz.model.op.Op;
import featviz.model.op.Permute;
import featviz.model.op.Pool2d;
import featviz.model.op.Relu;
import featviz.model.op.Reshape;
import featviz.model.op.ScalarAffine;
import featviz.model.op.SeparableConv2d;
import featviz.model.op.SpaceToDepth;
import featviz.model.op.Upsample2d;
import featviz.model.op.ZeroPad;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SpaceToDepthLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.preprocessors.PermutePreprocessor;
import org.deeplearning4j.preprocessors.ReshapePreprocessor;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationRReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Turns a DL4J network structure plus its weights into a {@link Network}, keeping only the vertices the
 * named targets depend on: nothing past the target layers is ever built or computed.
 */
public final class NetworkBuilder {
    private NetworkBuilder() {
    }

    /** Suffix of the node that holds a dense layer's scores before its activation (the logits of a classifier). */
    public static final String LOGITS = "#logits";

    public static Network build(GraphSpec spec, WeightSource weights, Collection<String> targets, DataType dataType) {
        Set<String> targetVertices = new HashSet<>();
        targets.forEach(t -> targetVertices.add(t.replace(LOGITS, "")));
        Set<String> needed = ancestors(spec, targetVertices);
        Map<String, Integer> readers = Fusion.readers(spec, needed);
        Map<String, String> folds = Fusion.foldableBatchNorms(spec, needed, readers, targetVertices);
        Map<String, String> foldedInto = new HashMap<>();
        folds.forEach((conv, bn) -> foldedInto.put(bn, conv));
        weights.prepare(spec.vertices().stream().filter(v -> needed.contains(v.name()) && v.layer() != null).toList());
        List<Network.Node> nodes = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        Map<String, Op> built = new HashMap<>();
        for (GraphSpec.Vertex v : spec.vertices()) {
            if (!needed.contains(v.name())) {
                continue;
            }
            int[] inputs = v.inputs().stream().mapToInt(index::get).toArray();
            Op op;
            if (v.name().equals(spec.inputName())) {
                op = new Identity("input");
            } else if (folds.containsKey(v.name())) {
                GraphSpec.Vertex bn = spec.vertex(folds.get(v.name()));
                op = Fusion.fold(opFor(v, weights, dataType, false),
                        batchNormAffine(bn, (BatchNormalization) bn.layer(), weights, DataType.DOUBLE), dataType);
            } else if (foldedInto.containsKey(v.name())) {
                op = new Identity("batchnorm (folded into " + foldedInto.get(v.name()) + ")");
            } else {
                boolean inputOwned = v.inputs().size() == 1
                        && Fusion.inputOwned(spec, v.inputs().get(0), built, readers, targetVertices);
                op = opFor(v, weights, dataType, inputOwned);
            }
            if (targets.contains(v.name() + LOGITS) && op instanceof Chain chain && hasActivation(chain)) {
                // Split off the activation so the scores before it can be read too.
                List<Op> ops = chain.ops();
                Op scores = ops.size() == 2 ? ops.get(0) : new Chain(ops.subList(0, ops.size() - 1));
                index.put(v.name() + LOGITS, nodes.size());
                nodes.add(new Network.Node(v.name() + LOGITS, scores, inputs));
                inputs = new int[] {nodes.size() - 1};
                op = ops.get(ops.size() - 1);
                if (op instanceof Relu) {
                    op = new Relu(false); // the logits are read by the objective: keep them intact
                }
            }
            index.put(v.name(), nodes.size());
            nodes.add(new Network.Node(v.name(), op, inputs));
            built.put(v.name(), op);
        }
        Set<String> notOwnOutput = new HashSet<>(folds.keySet());
        Set<String> readable = new HashSet<>(targets);
        readable.addAll(targetVertices);
        List<Network.Region> regions = Fusion.blockedRegions(nodes, readable, notOwnOutput);
        return new Network(nodes, dataType, notOwnOutput, regions);
    }

    private static boolean hasActivation(Chain chain) {
        Op last = chain.ops().get(chain.ops().size() - 1);
        return last instanceof Relu || last instanceof Activation || last instanceof LowerBound;
    }

    /** Whether the vertex is a dense layer with an activation, whose logits {@link #LOGITS} can name. */
    public static boolean hasLogits(GraphSpec.Vertex v) {
        Layer layer = unwrap(v.layer());
        return (layer instanceof DenseLayer || layer instanceof OutputLayer)
                && !(((BaseLayer) layer).getActivationFn() instanceof ActivationIdentity);
    }

    /**
     * Why featviz cannot differentiate through this vertex itself (its inputs aside): the one line a build
     * would fail with, or null when it can. Builds the vertex's ops over uninitialised parameter arrays, which
     * costs no weights and keeps one list of what is supported.
     */
    public static String unsupportedReason(GraphSpec.Vertex v, GraphSpec spec) {
        if (v.name().equals(spec.inputName())) {
            return null;
        }
        try {
            opFor(v, SHAPES_ONLY, DataType.FLOAT, false);
            return null;
        } catch (UsageException e) {
            return e.getMessage();
        }
    }

    private static final WeightSource SHAPES_ONLY = new WeightSource() {
        @Override
        public INDArray param(GraphSpec.Vertex vertex, String key, long[] shape) {
            return org.nd4j.linalg.factory.Nd4j.createUninitialized(DataType.FLOAT, shape);
        }

        @Override
        public String identity() {
            return "shapes only";
        }
    };

    private static Set<String> ancestors(GraphSpec spec, Collection<String> targets) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(targets);
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (seen.add(name)) {
                GraphSpec.Vertex v = spec.vertex(name);
                if (v == null) {
                    throw new IllegalArgumentException("no vertex " + name);
                }
                todo.addAll(v.inputs());
            }
        }
        return seen;
    }

    /** @param inputOwned whether the vertex may overwrite its input array ({@link Fusion#inputOwned}) */
    private static Op opFor(GraphSpec.Vertex v, WeightSource weights, DataType dt, boolean inputOwned) {
        List<Op> ops = new ArrayList<>();
        if (v.preProcessor() != null) {
            ops.add(preprocessorOp(v, v.preProcessor()));
        }
        if (v.layer() != null) {
            layerOps(v, v.layer(), weights, dt, ops, inputOwned);
        } else if (v.graphVertex() instanceof ElementWiseVertex ew) {
            ops.add(switch (ew.getOp()) {
                case Add -> new ElementWise(ElementWise.Kind.ADD);
                case Subtract -> new ElementWise(ElementWise.Kind.SUBTRACT);
                case Average -> new ElementWise(ElementWise.Kind.AVERAGE);
                case Product -> new ElementWise(ElementWise.Kind.PRODUCT);
                case Max -> new ElementWise(ElementWise.Kind.MAX);
                default -> throw unsupported(v, "element-wise " + ew.getOp());
            });
        } else if (v.graphVertex() instanceof ScaleVertex sv) {
            ops.add(new ScalarAffine(sv.getScaleFactor(), 0, "scale " + sv.getScaleFactor()));
        } else if (v.graphVertex() instanceof ShiftVertex sv) {
            ops.add(new ScalarAffine(1, sv.getShiftFactor(), "shift " + sv.getShiftFactor()));
        } else if (v.graphVertex() instanceof L2NormalizeVertex l2) {
            ops.add(new L2Normalize(l2.getDimension(), l2.getEps()));
        } else if (v.graphVertex() instanceof MergeVertex) {
            ops.add(new Concat());
        } else if (v.graphVertex() instanceof PreprocessorVertex pv) {
            ops.add(preprocessorOp(v, pv.getPreProcessor()));
        } else if (!(v.graphVertex() instanceof LayerVertex)) {
            throw unsupported(v, v.typeName());
        }
        if (ops.isEmpty()) {
            return new Identity(v.typeName());
        }
        return ops.size() == 1 ? ops.get(0) : new Chain(ops);
    }

    /**
     * The layer a FrozenLayer or FrozenLayerWithBackprop wraps (transfer-learned models): at inference they
     * compute what it computes, with its parameters under the same keys.
     */
    static Layer unwrap(Layer layer) {
        while (true) {
            if (layer instanceof FrozenLayer f) {
                layer = f.getLayer();
            } else if (layer instanceof FrozenLayerWithBackprop f) {
                layer = f.getUnderlying();
            } else {
                return layer;
            }
        }
    }

    private static void layerOps(GraphSpec.Vertex v, Layer layer, WeightSource w, DataType dt, List<Op> ops,
                                 boolean inputOwned) {
        layer = unwrap(layer);
        Class<?> type = layer.getClass();
        if (layer instanceof ConvolutionLayer c && c.getConvolutionMode() == ConvolutionMode.Causal) {
            throw unsupported(v, "causal convolution mode in " + type.getSimpleName());
        }
        if (type == ConvolutionLayer.class) {
            ConvolutionLayer c = (ConvolutionLayer) layer;
            requireNchw(v, c.getCnn2dDataFormat());
            long[] k = {c.getKernelSize()[0], c.getKernelSize()[1]};
            INDArray weights = param(v, w, "W", dt, c.getNOut(), c.getNIn(), k[0], k[1]);
            INDArray bias = c.hasBias() ? param(v, w, "b", dt, 1, c.getNOut()) : null;
            ops.add(Conv2d.owning(weights, bias, c.getStride(), c.getPadding(), c.getDilation(),
                    c.getConvolutionMode() == ConvolutionMode.Same));
            activation(c.getActivationFn(), ops, true);
        } else if (type == DepthwiseConvolution2D.class) {
            DepthwiseConvolution2D c = (DepthwiseConvolution2D) layer;
            requireNchw(v, c.getCnn2dDataFormat());
            long multiplier = c.getDepthMultiplier();
            INDArray weights = param(v, w, "W", dt, c.getKernelSize()[0], c.getKernelSize()[1], c.getNIn(), multiplier);
            INDArray bias = c.hasBias() ? param(v, w, "b", dt, 1, c.getNIn() * multiplier) : null;
            ops.add(LibNd4jConvolution.depthwise(weights, bias, c.getKernelSize(), c.getStride(), c.getPadding(),
                    c.getDilation(), c.getConvolutionMode() == ConvolutionMode.Same));
            activation(c.getActivationFn(), ops, true);
        } else if (type == SeparableConvolution2D.class) {
            SeparableConvolution2D c = (SeparableConvolution2D) layer;
            requireNchw(v, c.getCnn2dDataFormat());
            long multiplier = c.getDepthMultiplier();
            INDArray depth = param(v, w, "W", dt, multiplier, c.getNIn(), c.getKernelSize()[0], c.getKernelSize()[1]);
            INDArray point = param(v, w, "pW", dt, c.getNOut(), c.getNIn() * multiplier, 1, 1);
            INDArray bias = c.hasBias() ? param(v, w, "b", dt, 1, c.getNOut()) : null;
            ops.add(new SeparableConv2d(depth, point, bias, c.getStride(), c.getPadding(), c.getDilation(),
                    c.getConvolutionMode() == ConvolutionMode.Same));
            activation(c.getActivationFn(), ops, true);
        } else if (type == Deconvolution2D.class) {
            Deconvolution2D c = (Deconvolution2D) layer;
            requireNchw(v, c.getCnn2dDataFormat());
            INDArray weights = param(v, w, "W", dt, c.getNIn(), c.getNOut(), c.getKernelSize()[0], c.getKernelSize()[1]);
            INDArray bias = c.hasBias() ? param(v, w, "b", dt, 1, c.getNOut()) : null;
            ops.add(LibNd4jConvolution.deconvolution(weights, bias, c.getStride(), c.getPadding(), c.getDilation(),
                    c.getConvolutionMode() == ConvolutionMode.Same));
            activation(c.getActivationFn(), ops, true);
        } else if (type == SubsamplingLayer.class) {
            SubsamplingLayer s = (SubsamplingLayer) layer;
            requireNchw(v, s.getCnn2dDataFormat());
            boolean same = s.getConvolutionMode() == ConvolutionMode.Same;
            ops.add(switch (s.getPoolingType()) {
                case MAX, AVG -> new Pool2d(s.getPoolingType() == PoolingType.MAX ? Pool2d.Kind.MAX
                        : Pool2d.Kind.AVG, s.getKernelSize(), s.getStride(), s.getPadding(), s.getDilation(), same,
                        s.isAvgPoolIncludePadInDivisor());
                case PNORM -> Pool2d.pnorm(s.getPnorm(), s.getEps(), s.getKernelSize(), s.getStride(), s.getPadding(),
                        s.getDilation(), same);
                default -> throw unsupported(v, s.getPoolingType() + " pooling");
            });
        } else if (type == BatchNormalization.class) {
            Fusion.Affine bn = batchNormAffine(v, (BatchNormalization) layer, w, dt);
            ops.add(new ChannelAffine(bn.scale(), bn.shift(), "batchnorm"));
        } else if (type == ActivationLayer.class) {
            // In place after a preprocessor of this vertex (it made a new array), or when the input array
            // is this vertex's alone.
            activation(((ActivationLayer) layer).getActivationFn(), ops, !ops.isEmpty() || inputOwned);
        } else if (type == CnnLossLayer.class || type == LossLayer.class) {
            // A loss layer at inference is its activation applied (the loss needs labels, which featviz has not).
            if (layer instanceof CnnLossLayer loss) {
                requireNchw(v, loss.getFormat());
            }
            activation(((BaseLayer) layer).getActivationFn(), ops, !ops.isEmpty() || inputOwned);
        } else if (type == DenseLayer.class || type == OutputLayer.class) {
            org.deeplearning4j.nn.conf.layers.FeedForwardLayer d = (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) layer;
            boolean hasBias = type == DenseLayer.class ? ((DenseLayer) d).hasBias() : ((OutputLayer) d).hasBias();
            INDArray weights = param(v, w, "W", dt, d.getNIn(), d.getNOut());
            INDArray bias = hasBias ? param(v, w, "b", dt, 1, d.getNOut()) : null;
            ops.add(new Dense(weights, bias));
            activation(((BaseLayer) d).getActivationFn(), ops, true);
        } else if (type == DropoutLayer.class) {
            ops.add(new Identity("dropout"));
        } else if (type == ZeroPaddingLayer.class) {
            requireNchw(v, ((ZeroPaddingLayer) layer).getDataFormat());
            ops.add(new ZeroPad(((ZeroPaddingLayer) layer).getPadding()));
        } else if (type == Cropping2D.class) {
            requireNchw(v, ((Cropping2D) layer).getDataFormat());
            ops.add(new Crop(((Cropping2D) layer).getCropping()));
        } else if (type == Upsampling2D.class) {
            requireNchw(v, ((Upsampling2D) layer).getFormat());
            ops.add(new Upsample2d(((Upsampling2D) layer).getSize()));
        } else if (type == SpaceToDepthLayer.class) {
            requireNchw(v, ((SpaceToDepthLayer) layer).getDataFormat());
            ops.add(new SpaceToDepth(((SpaceToDepthLayer) layer).getBlockSize()));
        } else if (type == LocalResponseNormalization.class) {
            LocalResponseNormalization lrn = (LocalResponseNormalization) layer;
            requireNchw(v, lrn.getDataFormat());
            ops.add(new LocalResponseNorm(lrn.getK(), lrn.getN(), lrn.getAlpha(), lrn.getBeta()));
        } else if (type == GlobalPoolingLayer.class) {
            GlobalPoolingLayer g = (GlobalPoolingLayer) layer;
            int[] dims = g.getPoolingDimensions();
            if (dims != null && !java.util.Arrays.equals(dims, new int[] {2, 3})) {
                throw unsupported(v, "global pooling over dimensions " + java.util.Arrays.toString(dims));
            }
            ops.add(new GlobalPool(switch (g.getPoolingType()) {
                case MAX -> GlobalPool.Kind.MAX;
                case AVG -> GlobalPool.Kind.AVG;
                case SUM -> GlobalPool.Kind.SUM;
                case PNORM -> GlobalPool.Kind.PNORM;
            }, g.getPnorm(), !g.isCollapseDimensions()));
        } else {
            throw unsupported(v, type.getSimpleName());
        }
    }

    /** Inference-mode BatchNorm as a per-channel scale and shift, computed in {@code dt}. */
    private static Fusion.Affine batchNormAffine(GraphSpec.Vertex v, BatchNormalization bn, WeightSource w, DataType dt) {
        requireNchw(v, bn.getCnn2DFormat());
        long n = bn.getNOut();
        INDArray mean = param(v, w, "mean", dt, 1, n);
        INDArray var = w.param(v, "var", new long[] {1, n});
        if (var == null) {
            INDArray log10std = param(v, w, "log10stdev", dt, 1, n);
            INDArray std = Transforms.pow(log10std.castTo(dt).mul(0).add(10.0), log10std.castTo(dt), true);
            var = std.mul(std);
        }
        var = var.castTo(dt);
        INDArray gamma;
        INDArray beta;
        if (bn.isLockGammaBeta()) {
            gamma = mean.mul(0).add(bn.getGamma());
            beta = mean.mul(0).add(bn.getBeta());
        } else {
            gamma = param(v, w, "gamma", dt, 1, n);
            beta = param(v, w, "beta", dt, 1, n);
        }
        // Inference-mode BN: y = gamma (x - mean) / sqrt(var + eps) + beta = x * scale + shift.
        INDArray scale = gamma.div(Transforms.sqrt(var.add(bn.getEps()), true));
        INDArray shift = beta.sub(mean.mul(scale));
        return new Fusion.Affine(scale, shift);
    }

    /** @param inPlace whether the activation may overwrite its input (nothing else reads it) */
    private static void activation(IActivation fn, List<Op> ops, boolean inPlace) {
        if (Fusion.isIdentity(fn)) {
            return;
        }
        if (fn instanceof ActivationRReLU r) {
            // DL4J's RReLU at inference is max(x, (l + u) / 2); its own backprop needs the random slopes of a
            // training pass and fails without them.
            ops.add(new LowerBound((r.getL() + r.getU()) / 2));
            return;
        }
        if (fn instanceof ActivationReLU relu && relu.toString().equals(new ActivationReLU().toString())) {
            ops.add(new Relu(inPlace));
        } else {
            ops.add(new Activation(fn));
        }
    }

    private static Op preprocessorOp(GraphSpec.Vertex v, InputPreProcessor pre) {
        if (pre instanceof ChannelsLastFlatten c) { // a CnnToFeedForwardPreProcessor whose order is (H, W, C)
            requireNchw(v, c.getFormat());
            return new Chain(List.of(new Permute(0, 2, 3, 1), Reshape.flatten()));
        }
        if (pre instanceof ReshapePreprocessor r) { // Keras Reshape: DL4J's activations reshaped in C order
            long[] target = r.getTargetShape();
            return new Reshape(r.isHasMiniBatchDimension() ? java.util.Arrays.copyOfRange(target, 1, target.length) : target);
        }
        if (pre instanceof PermutePreprocessor p) { // Keras Permute: 1-based axes after the batch axis
            return new Permute(p.getPermutationIndices());
        }
        if (pre instanceof CnnToFeedForwardPreProcessor c) {
            requireNchw(v, c.getFormat());
            return Reshape.flatten();
        }
        if (pre instanceof FeedForwardToCnnPreProcessor f) {
            return new Reshape(f.getNumChannels(), f.getInputHeight(), f.getInputWidth());
        }
        throw unsupported(v, pre.getClass().getSimpleName());
    }

    private static INDArray param(GraphSpec.Vertex v, WeightSource w, String key, DataType dt, long... shape) {
        INDArray p = w.param(v, key, shape);
        if (p == null) {
            throw new IllegalStateException("layer " + v.name() + " has no parameter " + key);
        }
        return p.castTo(dt);
    }

    private static void requireNchw(GraphSpec.Vertex v, CNN2DFormat format) {
        if (format != null && format != CNN2DFormat.NCHW) {
            throw unsupported(v, "channels-last (NHWC) layout");
        }
    }

    private static UsageException unsupported(GraphSpec.Vertex v, String what) {
        String layer = "layer " + v.name() + " (" + v.typeName() + ")";
        return new UsageException(what.equals(v.typeName())
                ? layer + " is of a type featviz cannot differentiate yet; choose a layer before it"
                : layer + " uses " + what + ", which featviz cannot differentiate yet; choose a layer before it");
    }
}
