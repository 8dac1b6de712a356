package featviz.model.op;

import static org.bytedeco.dnnl.global.dnnl.*;

import featviz.model.op.Dnnl.Call;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.dnnl_binary_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A region of a network (convolutions, ReLUs, max pools, residual sums and pass-throughs) that reads one array
 * from outside and whose only output read outside is its last node's, computed end to end in the channel-blocked
 * layouts oneDNN's primitives choose, each ReLU after a convolution or a sum applied as that primitive writes its
 * output (a post-op).
 *
 * <p>Why: op by op, every convolution converted its NCHW input into its blocked layout and its output back, and
 * the same again for the input gradient, and every ReLU was a pass of its own: a third of a VGG19 step, half of a
 * ResNet-50 one (bench/PROFILE.md). Here only the region's input and output are converted, and a fused ReLU costs
 * nothing forward; backward, each gradient is masked with the ReLU's kept (blocked) output, a sum hands its
 * gradient to both inputs, and gradients meeting at an output read twice (a ResNet block's input) are added.
 *
 * <p>{@link featviz.model.Network} runs the region's nodes one by one instead wherever this declines
 * ({@link #forward} returns null): arrays oneDNN does not take (double precision, the portable path), an input
 * shape some primitive declines, and the first steps of a render, whose ReLU gradients are redirected
 * ({@link ReluRedirect}).
 */
public final class BlockedGraph {
    private static final Cleaner CLEANER = Cleaner.create();

    private final List<Stage> stages;
    private final int outputStage;
    private final Plans<List<Long>, Plan> plans = new Plans<>();
    private Pass pass; // what the last forward pass keeps for the backward pass

    /**
     * One primitive: a convolution, a max pool, a sum of two arrays or a lone ReLU, with a ReLU fused after the
     * first and the third when it is their output's only reader. {@code inputs} are stage indexes, -1 the region's
     * input.
     */
    private static final class Stage {
        Conv2d conv;
        Pool2d pool;
        boolean add;
        boolean relu;
        int[] inputs;

        boolean lone() {
            return conv == null && pool == null && !add;
        }
    }

    private BlockedGraph(List<Stage> stages, int outputStage) {
        this.stages = stages;
        this.outputStage = outputStage;
        Plans<List<Long>, Plan> p = plans;
        CLEANER.register(this, p::close); // the plans must not refer back to this
    }

    /**
     * Whether {@code op} can be part of a region: a float convolution or max pool oneDNN runs, a ReLU, the sum of
     * two arrays, a pass-through, or a chain of these.
     */
    public static boolean joins(Op op, int inputs) {
        if (op instanceof Chain chain) {
            return chain.ops().stream().allMatch(o -> joins(o, 1)) && (inputs == 1);
        }
        if (op instanceof ElementWise ew) {
            return ew.kind() == ElementWise.Kind.ADD && inputs == 2;
        }
        return inputs == 1 && (op instanceof Conv2d conv && conv.onednn() != null
                || op instanceof Pool2d pool && pool.onednn() != null
                || op instanceof Relu || op instanceof Identity);
    }

    /**
     * The region of these nodes (each {@link #joins}, in topological order, the last one the region's output);
     * {@code inputs.get(k)} are the indexes in this list of the nodes node k reads, -1 for the region's input.
     * Null when it would not save anything: no convolution, or a single op.
     */
    public static BlockedGraph of(List<Op> ops, List<int[]> inputs) {
        List<Stage> stages = new ArrayList<>();
        int[] stageOf = new int[ops.size()]; // the stage whose output node k's output is (-1: the region's input)
        int work = 0;
        for (int k = 0; k < ops.size(); k++) {
            int[] in = Arrays.stream(inputs.get(k)).map(j -> j < 0 ? -1 : stageOf[j]).toArray();
            List<Op> flat = new ArrayList<>();
            flatten(ops.get(k), flat);
            int current = in.length == 1 ? in[0] : -2;
            for (Op op : flat) {
                Stage s = new Stage();
                if (op instanceof Identity) {
                    continue;
                } else if (op instanceof Conv2d conv) {
                    s.conv = conv;
                } else if (op instanceof Pool2d pool) {
                    s.pool = pool;
                } else if (op instanceof ElementWise) {
                    s.add = true;
                } else if (op instanceof Relu) {
                    s.relu = true;
                } else {
                    throw new IllegalArgumentException(op.describe() + " cannot run blocked");
                }
                s.inputs = s.add ? in : new int[] {current};
                stages.add(s);
                current = stages.size() - 1;
                work++;
            }
            stageOf[k] = current;
        }
        int[] fusedInto = fuseRelus(stages);
        boolean convolves = stages.stream().anyMatch(s -> s != null && s.conv != null);
        int output = stageOf[ops.size() - 1];
        if (!convolves || work < 2 || output < 0) {
            return null;
        }
        return compact(stages, fusedInto[output]);
    }

    /**
     * A lone ReLU whose input is a convolution's or a sum's output that nothing else reads becomes that
     * primitive's post-op; its readers read the primitive instead. Returns, per stage, the stage that now holds its
     * output (itself, or the producer a ReLU was fused into); fused ReLUs' places become null.
     */
    private static int[] fuseRelus(List<Stage> stages) {
        int[] holder = new int[stages.size()];
        int[] readers = new int[stages.size()];
        for (int i = 0; i < stages.size(); i++) {
            holder[i] = i;
            for (int j : stages.get(i).inputs) {
                if (j >= 0) {
                    readers[j]++;
                }
            }
        }
        for (int r = 0; r < stages.size(); r++) {
            Stage relu = stages.get(r);
            int p = relu.lone() ? relu.inputs[0] : -1;
            if (p < 0 || readers[p] != 1 || !(stages.get(p).conv != null || stages.get(p).add) || stages.get(p).relu) {
                continue;
            }
            stages.get(p).relu = true;
            stages.set(r, null);
            holder[r] = p;
            int fused = r;
            for (Stage s : stages) {
                if (s != null) {
                    s.inputs = Arrays.stream(s.inputs).map(j -> j == fused ? p : j).toArray();
                }
            }
            readers[p] = readers[r];
        }
        return holder;
    }

    /** The stages without the fused ReLUs' places, inputs renumbered. */
    private static BlockedGraph compact(List<Stage> stages, int output) {
        int[] index = new int[stages.size()];
        List<Stage> kept = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            index[i] = kept.size();
            if (stages.get(i) != null) {
                kept.add(stages.get(i));
            }
        }
        for (Stage s : kept) {
            s.inputs = Arrays.stream(s.inputs).map(j -> j < 0 ? -1 : index[j]).toArray();
        }
        return new BlockedGraph(kept, index[output]);
    }

    private static void flatten(Op op, List<Op> into) {
        if (op instanceof Chain chain) {
            chain.ops().forEach(o -> flatten(o, into));
        } else {
            into.add(op);
        }
    }

    /** How many primitives the region runs (after fusing), for listings and tests. */
    public int primitives() {
        return stages.size();
    }

    /**
     * The region's output for its input {@code x}, computed blocked; null (nothing done) when it cannot be here:
     * the caller then runs the nodes one by one.
     */
    public INDArray forward(INDArray x) {
        clear(); // a pass nobody took the backward of (forward-only use): its kept buffers go back to the pool
        if (ReluRedirect.active() || x.rank() != 4 || !Dnnl.handles(x)) {
            return null;
        }
        Plan plan = plans.get(key(x.shape()), k -> Plan.build(stages, outputStage, x.shape()));
        if (plan == null) {
            return null;
        }
        stages.stream().filter(s -> s.conv != null).forEach(s -> s.conv.ranOnednn());
        pass = new Pass(plan);
        return pass.forward(x);
    }

    /** Whether the last {@link #forward} ran blocked. */
    public boolean ranBlocked() {
        return pass != null;
    }

    /** The gradient with respect to the region's input, from the gradient at its output, of the last blocked pass. */
    public INDArray backward(INDArray gradOut) {
        return pass.backward(gradOut);
    }

    /** Frees what the last pass kept. */
    public void clear() {
        if (pass != null) {
            pass.release();
            pass = null;
        }
    }

    /** The input shape and the precision each convolution computes in: what a plan depends on. */
    private List<Long> key(long[] shape) {
        List<Long> key = new ArrayList<>();
        for (long d : shape) {
            key.add(d);
        }
        stages.stream().filter(s -> s.conv != null).forEach(s -> key.add((long) s.conv.precision().ordinal()));
        return key;
    }

    /** A blocked buffer of at least {@code bytes}, from the network's buffer pool. */
    private static INDArray buffer(long bytes) {
        return Memory.allocate(DataType.FLOAT, (bytes + Float.BYTES - 1) / Float.BYTES);
    }

    /** The primitives of one stage for one input shape, and the conversions around them. */
    private static final class StagePlan {
        DnnlConvolution conv;
        DnnlConvolution.Primitives convolution;
        DnnlMaxPool.Primitives pooling;
        Call sum; // a sum's primitive, over the buffers as flat arrays
        DnnlRelu relu; // a ReLU's gradient (and a lone one's forward), over the buffer as a flat array
        long[] outShape;
        dnnl_memory_desc_t dst; // the output's layout
        dnnl_memory_desc_t mask; // where the backward pass wants the output's gradient
        dnnl_memory_desc_t diffDst; // where the primitive's gradient reads it (a convolution's may differ from mask)
        dnnl_memory_desc_t[] src; // per input: the layout the primitive reads it in
        dnnl_memory_desc_t[] diffSrc; // per input: the layout of the gradient the stage hands it
        Call[] toSrc; // per input: from the input's layout into src; null when the same
        Call[] toGradient; // per input: from diffSrc into the input's gradient layout; null when the same
        Call toMask; // from the gradient's layout into mask; null when the same
        Call toDiffDst; // from mask into diffDst; null when the same
        dnnl_memory_desc_t gradient; // the layout this stage's output gradient accumulates in (set by its readers)
        long workspaceBytes;
        int readers; // how many stage inputs read this output (+1 for the region's output)

        void close() {
            if (convolution != null) {
                convolution.close();
            }
            if (pooling != null) {
                pooling.close();
            }
            List<Call> calls = new ArrayList<>(Arrays.asList(sum, toMask, toDiffDst));
            if (toSrc != null) {
                calls.addAll(Arrays.asList(toSrc));
            }
            if (toGradient != null) {
                calls.addAll(Arrays.asList(toGradient));
            }
            calls.stream().filter(c -> c != null).forEach(Call::close);
        }
    }

    /** Everything the region needs for one input shape. */
    private static final class Plan implements Plans.Native {
        final long[] inShape;
        final StagePlan[] stages;
        final int output;
        dnnl_memory_desc_t inputGradient; // the layout the input's gradient accumulates in
        Call toOutput; // the output stage's output into the NCHW result
        Call toInputGradient; // the input's gradient into NCHW; null when it is NCHW already
        // Gradients meeting at a stage read by several (ResNet's block inputs), by element count: oneDNN adds them
        // in place, about 3 ms a ResNet-50 step less than ND4J's addi on views did (bench/PROFILE.md).
        final Map<Long, Call> adders = new HashMap<>();

        private Plan(long[] inShape, int n, int output) {
            this.inShape = inShape.clone();
            this.stages = new StagePlan[n];
            this.output = output;
        }

        /** Null when a primitive declines its shape (the nodes then run one by one). */
        static Plan build(List<Stage> list, int output, long[] inShape) {
            Plan plan = new Plan(inShape, list.size(), output);
            try {
                return plan.fill(list) ? plan : plan.closed();
            } catch (RuntimeException e) {
                plan.close();
                throw e;
            }
        }

        private Plan closed() {
            close();
            return null;
        }

        private dnnl_memory_desc_t layoutOf(int stage) {
            return stage < 0 ? Dnnl.desc(dnnl_nchw, inShape) : stages[stage].dst;
        }

        private long[] shapeOf(int stage) {
            return stage < 0 ? inShape : stages[stage].outShape;
        }

        private boolean fill(List<Stage> list) {
            int[] readers = new int[list.size()];
            for (Stage s : list) {
                for (int j : s.inputs) {
                    if (j >= 0) {
                        readers[j]++;
                    }
                }
            }
            for (int i = 0; i < list.size(); i++) {
                Stage stage = list.get(i);
                StagePlan sp = new StagePlan();
                stages[i] = sp;
                sp.readers = readers[i] + (i == output ? 1 : 0);
                int in = stage.inputs[0];
                long[] shape = shapeOf(in);
                dnnl_memory_desc_t before = layoutOf(in);
                if (stage.conv != null) {
                    sp.conv = stage.conv.onednn();
                    boolean bf16 = stage.conv.precision() == Precision.BF16;
                    boolean narrowOutput = readers[i] == 1 && i != output && readsInBf16(list, i);
                    boolean narrowGradient = bf16 && in >= 0 && list.get(in).conv != null && readers[in] == 1;
                    sp.convolution = sp.conv.primitives(shape, stage.relu, narrowOutput, narrowGradient);
                    if (sp.convolution == null) {
                        return false;
                    }
                    sp.src = new dnnl_memory_desc_t[] {sp.convolution.src()};
                    sp.dst = sp.convolution.dst();
                    sp.diffSrc = new dnnl_memory_desc_t[] {sp.convolution.diffSrc()};
                    sp.diffDst = sp.convolution.diffDst();
                    sp.outShape = sp.convolution.outShape();
                } else if (stage.pool != null) {
                    long[][] g = stage.pool.geometry(shape);
                    sp.pooling = stage.pool.onednn().primitives(before, shape, g[0], g[1]);
                    if (sp.pooling == null) {
                        return false;
                    }
                    sp.src = new dnnl_memory_desc_t[] {before};
                    sp.dst = sp.pooling.dst();
                    sp.diffSrc = sp.src;
                    sp.diffDst = sp.dst;
                    sp.workspaceBytes = Dnnl.bytes(sp.pooling.workspace());
                    sp.outShape = g[0];
                } else if (stage.add) {
                    if (!Arrays.equals(shape, shapeOf(stage.inputs[1])) || before.data_type() != dnnl_f32) {
                        return false;
                    }
                    sp.src = new dnnl_memory_desc_t[] {before, before};
                    sp.dst = before;
                    sp.diffSrc = sp.src;
                    sp.diffDst = before;
                    sp.sum = sum(Dnnl.elements(before), stage.relu);
                    sp.outShape = shape;
                } else { // a lone ReLU, element-wise on the layout it is given
                    sp.src = new dnnl_memory_desc_t[] {before};
                    sp.dst = before;
                    sp.diffSrc = sp.src;
                    sp.diffDst = before;
                    sp.outShape = shape;
                }
                if (stage.relu) {
                    sp.relu = new DnnlRelu();
                    sp.mask = sp.dst;
                } else {
                    sp.mask = sp.diffDst;
                }
                sp.toSrc = new Call[stage.inputs.length];
                for (int k = 0; k < stage.inputs.length; k++) {
                    dnnl_memory_desc_t from = layoutOf(stage.inputs[k]);
                    sp.toSrc[k] = Dnnl.same(from, sp.src[k]) ? null : Dnnl.reorder(from, sp.src[k]);
                }
                sp.toDiffDst = Dnnl.same(sp.mask, sp.diffDst) ? null : Dnnl.reorder(sp.mask, sp.diffDst);
            }
            toOutput = Dnnl.reorder(stages[output].dst, Dnnl.desc(dnnl_nchw, stages[output].outShape));
            // Backward, in reverse order: each stage's gradient accumulates in the layout of the first gradient
            // to reach it; the output's comes from the caller in NCHW (copied into its layout, never overwritten).
            stages[output].gradient = Dnnl.desc(dnnl_nchw, stages[output].outShape);
            stages[output].toMask = Dnnl.reorder(stages[output].gradient, stages[output].mask);
            for (int i = list.size() - 1; i >= 0; i--) {
                StagePlan sp = stages[i];
                if (i != output) {
                    sp.toMask = Dnnl.same(sp.gradient, sp.mask) ? null : Dnnl.reorder(sp.gradient, sp.mask);
                }
                int[] inputs = list.get(i).inputs;
                sp.toGradient = new Call[inputs.length];
                for (int k = 0; k < inputs.length; k++) {
                    dnnl_memory_desc_t target = inputs[k] < 0 ? inputGradient : stages[inputs[k]].gradient;
                    if (target == null) {
                        target = sp.diffSrc[k];
                        if (inputs[k] < 0) {
                            inputGradient = target;
                        } else {
                            stages[inputs[k]].gradient = target;
                        }
                    }
                    sp.toGradient[k] = Dnnl.same(sp.diffSrc[k], target) ? null : Dnnl.reorder(sp.diffSrc[k], target);
                }
            }
            dnnl_memory_desc_t inPlain = Dnnl.desc(dnnl_nchw, inShape);
            toInputGradient = Dnnl.same(inputGradient, inPlain) ? null : Dnnl.reorder(inputGradient, inPlain);
            return true;
        }

        /** Whether every reader of stage i is a bf16 convolution (it then may write its output in bf16). */
        private static boolean readsInBf16(List<Stage> list, int i) {
            for (Stage s : list) {
                if (Arrays.stream(s.inputs).anyMatch(j -> j == i)
                        && (s.conv == null || s.conv.precision() != Precision.BF16)) {
                    return false;
                }
            }
            return true;
        }

        /** {@code dst = a + b} over {@code count} floats, with a ReLU after it when {@code relu}. */
        private Call sum(long count, boolean relu) {
            dnnl_memory_desc_t md = Dnnl.desc(dnnl_x, count);
            dnnl_binary_desc_t desc = new dnnl_binary_desc_t();
            Dnnl.check(dnnl_binary_desc_init(desc, dnnl_binary_add, md, md, md), "describing a sum");
            dnnl_primitive_desc pd = Dnnl.primitiveDesc(desc, null, relu, "choosing a sum");
            try {
                return new Call("adding", pd, new int[] {DNNL_ARG_SRC_0, DNNL_ARG_SRC_1, DNNL_ARG_DST},
                        new dnnl_memory_desc_t[] {md, md, md});
            } finally {
                Dnnl.destroy(pd);
            }
        }

        @Override
        public void close() {
            for (StagePlan sp : stages) {
                if (sp != null) {
                    sp.close();
                }
            }
            adders.values().forEach(Call::close);
            for (Call c : new Call[] {toOutput, toInputGradient}) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    /** One forward pass through a plan, and what its backward pass needs: ReLU outputs and pool workspaces. */
    private final class Pass {
        private final Plan plan;
        private final INDArray[] outputs;
        private final INDArray[] workspaces;

        Pass(Plan plan) {
            this.plan = plan;
            this.outputs = new INDArray[plan.stages.length];
            this.workspaces = new INDArray[plan.stages.length];
        }

        INDArray forward(INDArray x) {
            int n = plan.stages.length;
            int[] unread = new int[n];
            for (int i = 0; i < n; i++) {
                unread[i] = plan.stages[i].readers;
            }
            for (int i = 0; i < n; i++) {
                StagePlan sp = plan.stages[i];
                Stage stage = stages.get(i);
                INDArray[] src = new INDArray[stage.inputs.length];
                for (int k = 0; k < src.length; k++) {
                    INDArray from = stage.inputs[k] < 0 ? x : outputs[stage.inputs[k]];
                    src[k] = from;
                    if (sp.toSrc[k] != null) {
                        src[k] = buffer(Dnnl.bytes(sp.src[k]));
                        sp.toSrc[k].run(Dnnl.address(from), Dnnl.address(src[k]));
                    }
                }
                INDArray out = buffer(Dnnl.bytes(sp.dst));
                if (sp.convolution != null) {
                    sp.conv.forward(sp.convolution, Dnnl.address(src[0]), Dnnl.address(out));
                } else if (sp.pooling != null) {
                    workspaces[i] = buffer(sp.workspaceBytes);
                    sp.pooling.forward().run(Dnnl.address(src[0]), Dnnl.address(out), Dnnl.address(workspaces[i]));
                } else if (sp.sum != null) {
                    sp.sum.run(Dnnl.address(src[0]), Dnnl.address(src[1]), Dnnl.address(out));
                } else {
                    sp.relu.forward(Dnnl.address(src[0]), Dnnl.address(out), Dnnl.elements(sp.dst), sp.dst.data_type());
                }
                outputs[i] = out;
                for (int k = 0; k < src.length; k++) {
                    int j = stage.inputs[k];
                    if (src[k] != (j < 0 ? x : outputs[j])) {
                        Memory.release(src[k]);
                    }
                    if (j >= 0 && --unread[j] == 0 && !stages.get(j).relu) {
                        Memory.release(outputs[j]);
                        outputs[j] = null;
                    }
                }
            }
            StagePlan last = plan.stages[plan.output];
            INDArray y = Memory.allocate(DataType.FLOAT, last.outShape);
            plan.toOutput.run(Dnnl.address(outputs[plan.output]), Dnnl.address(y));
            if (!stages.get(plan.output).relu) {
                Memory.release(outputs[plan.output]);
                outputs[plan.output] = null;
            }
            return y;
        }

        INDArray backward(INDArray gradOut) {
            int n = plan.stages.length;
            INDArray[] grads = new INDArray[n];
            INDArray inputGrad = null;
            INDArray g = Memory.contiguous(gradOut) ? gradOut : gradOut.dup('c');
            grads[plan.output] = g; // copied by the output's toMask, which is never null
            for (int i = n - 1; i >= 0; i--) {
                StagePlan sp = plan.stages[i];
                Stage stage = stages.get(i);
                INDArray mask = grads[i];
                grads[i] = null;
                if (sp.toMask != null) {
                    INDArray converted = buffer(Dnnl.bytes(sp.mask));
                    sp.toMask.run(Dnnl.address(mask), Dnnl.address(converted));
                    if (mask != g) {
                        Memory.release(mask);
                    }
                    mask = converted;
                }
                if (stage.relu) {
                    sp.relu.backward(Dnnl.address(outputs[i]), Dnnl.address(mask), Dnnl.elements(sp.mask),
                            sp.mask.data_type());
                    Memory.release(outputs[i]);
                    outputs[i] = null;
                }
                INDArray diffDst = mask;
                if (sp.toDiffDst != null) {
                    diffDst = buffer(Dnnl.bytes(sp.diffDst));
                    sp.toDiffDst.run(Dnnl.address(mask), Dnnl.address(diffDst));
                    Memory.release(mask);
                }
                INDArray[] diffSrc = new INDArray[stage.inputs.length];
                if (sp.convolution != null) {
                    diffSrc[0] = buffer(Dnnl.bytes(sp.diffSrc[0]));
                    sp.convolution.inputGradient().run(Dnnl.address(diffDst), null, Dnnl.address(diffSrc[0]));
                    Memory.release(diffDst);
                } else if (sp.pooling != null) {
                    diffSrc[0] = buffer(Dnnl.bytes(sp.diffSrc[0]));
                    sp.pooling.backward().run(Dnnl.address(diffDst), Dnnl.address(workspaces[i]),
                            Dnnl.address(diffSrc[0]));
                    Memory.release(diffDst);
                    Memory.release(workspaces[i]);
                    workspaces[i] = null;
                } else if (sp.sum != null) {
                    diffSrc[0] = diffDst;
                    diffSrc[1] = buffer(Dnnl.bytes(sp.diffSrc[1]));
                    Pointer.memcpy(Dnnl.address(diffSrc[1]), Dnnl.address(diffDst), Dnnl.bytes(sp.diffSrc[1]));
                } else {
                    diffSrc[0] = diffDst; // a lone ReLU: masked above
                }
                for (int k = 0; k < diffSrc.length; k++) {
                    INDArray d = diffSrc[k];
                    if (sp.toGradient[k] != null) {
                        INDArray converted = buffer(Dnnl.bytes(targetLayout(stage.inputs[k])));
                        sp.toGradient[k].run(Dnnl.address(d), Dnnl.address(converted));
                        Memory.release(d);
                        d = converted;
                    }
                    int j = stage.inputs[k];
                    if (j < 0) {
                        inputGrad = accumulate(inputGrad, d, plan.inputGradient);
                    } else {
                        grads[j] = accumulate(grads[j], d, plan.stages[j].gradient);
                    }
                }
            }
            if (g != gradOut) {
                Memory.release(g);
            }
            INDArray gradIn = Memory.allocate(DataType.FLOAT, plan.inShape);
            if (plan.toInputGradient == null) {
                Pointer.memcpy(Dnnl.address(gradIn), Dnnl.address(inputGrad), Dnnl.bytes(plan.inputGradient));
            } else {
                plan.toInputGradient.run(Dnnl.address(inputGrad), Dnnl.address(gradIn));
            }
            Memory.release(inputGrad);
            return gradIn;
        }

        private dnnl_memory_desc_t targetLayout(int stage) {
            return stage < 0 ? plan.inputGradient : plan.stages[stage].gradient;
        }

        /** {@code sum + g}, in place in {@code sum} (both in {@code layout}, float); {@code g} is freed. */
        private INDArray accumulate(INDArray sum, INDArray g, dnnl_memory_desc_t layout) {
            if (sum == null) {
                return g;
            }
            if (layout.data_type() != dnnl_f32) {
                throw new IllegalStateException("gradients meeting in bf16");
            }
            Call add = plan.adders.computeIfAbsent(Dnnl.elements(layout), count -> plan.sum(count, false));
            add.run(Dnnl.address(sum), Dnnl.address(g), Dnnl.address(sum));
            Memory.release(g);
            return sum;
        }

        void release() {
            for (int i = 0; i < outputs.length; i++) {
                Memory.release(outputs[i]);
                Memory.release(workspaces[i]);
                outputs[i] = null;
                workspaces[i] = null;
            }
        }
    }
}
