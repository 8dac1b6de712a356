package featviz.model.op;

import static org.bytedeco.dnnl.global.dnnl.*;

import featviz.model.op.Dnnl.Call;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A run of convolutions, ReLUs, max pools and pass-throughs whose inner outputs nothing else reads, computed end
 * to end in the channel-blocked layouts oneDNN's primitives choose, with each ReLU that follows a convolution
 * applied as that convolution writes its output (a post-op).
 *
 * <p>Why: op by op, every convolution converts its NCHW input into its blocked layout and its output back, and
 * the same again for the input gradient, and every ReLU is a pass of its own: those conversions and passes were
 * a third of a VGG19 step (bench/PROFILE.md). Here the arrays stay blocked from the run's first op to its last,
 * so only the run's input and output are converted, and a fused ReLU costs nothing forward. The backward pass
 * masks each gradient with the ReLU's (kept, blocked) output and runs the primitives' input gradients.
 *
 * <p>The same ops one at a time ({@link Chain}) compute the same function and take over where this cannot run:
 * arrays oneDNN does not take (double precision, the portable path), an input shape some primitive declines,
 * and the first steps of a render, whose ReLU gradients are redirected ({@link ReluRedirect}).
 */
public final class BlockedRun implements Op {
    private static final Cleaner CLEANER = Cleaner.create();

    private final List<Op> ops;
    private final Chain oneByOne;
    private final List<Stage> stages;
    private final Plans<List<Long>, Plan> plans = new Plans<>();
    private boolean ranOneByOne;
    private Pass pass; // what the last blocked forward pass keeps for the backward pass

    /** One primitive of the run: a convolution (with or without its ReLU), a max pool or a lone ReLU. */
    private record Stage(Conv2d conv, boolean relu, Pool2d pool) {
        boolean keepsOutput() {
            return relu;
        }
    }

    private BlockedRun(List<Op> ops, List<Stage> stages) {
        this.ops = List.copyOf(ops);
        this.oneByOne = new Chain(ops);
        this.stages = stages;
        Plans<List<Long>, Plan> p = plans;
        CLEANER.register(this, p::close); // the plans must not refer back to this
    }

    /** Whether {@code op} can be part of a run: a float convolution or max pool oneDNN runs, a ReLU, a pass-through. */
    public static boolean joins(Op op) {
        if (op instanceof Chain chain) {
            return chain.ops().stream().allMatch(BlockedRun::joins);
        }
        return op instanceof Conv2d conv && conv.onednn() != null
                || op instanceof Pool2d pool && pool.onednn() != null
                || op instanceof Relu || op instanceof Identity;
    }

    /**
     * The run of these ops, one after another (each {@link #joins}); null when it would not save anything: no
     * convolution, or a single op.
     */
    public static BlockedRun of(List<Op> ops) {
        List<Op> flat = new ArrayList<>();
        ops.forEach(op -> flatten(op, flat));
        List<Stage> stages = new ArrayList<>();
        for (Op op : flat) {
            if (!joins(op)) {
                throw new IllegalArgumentException(op.describe() + " cannot run blocked");
            }
            if (op instanceof Conv2d conv) {
                stages.add(new Stage(conv, false, null));
            } else if (op instanceof Pool2d pool) {
                stages.add(new Stage(null, false, pool));
            } else if (op instanceof Relu) {
                Stage before = stages.isEmpty() ? null : stages.get(stages.size() - 1);
                if (before != null && before.conv() != null && !before.relu()) {
                    stages.set(stages.size() - 1, new Stage(before.conv(), true, null));
                } else {
                    stages.add(new Stage(null, true, null));
                }
            }
        }
        boolean convolves = stages.stream().anyMatch(s -> s.conv() != null);
        long work = flat.stream().filter(op -> !(op instanceof Identity)).count();
        return convolves && work >= 2 ? new BlockedRun(flat, stages) : null;
    }

    private static void flatten(Op op, List<Op> into) {
        if (op instanceof Chain chain) {
            chain.ops().forEach(o -> flatten(o, into));
        } else {
            into.add(op);
        }
    }

    /** Whether the last forward pass ran blocked, rather than op by op. */
    public boolean ranBlocked() {
        return !ranOneByOne;
    }

    /** The ops this run computes, in order. */
    public List<Op> ops() {
        return ops;
    }

    @Override
    public INDArray forward(INDArray... in) {
        INDArray x = in[0];
        Plan plan = ReluRedirect.active() || x.rank() != 4 || !Dnnl.handles(x) ? null : plans.get(key(x.shape()),
                k -> Plan.build(stages, x.shape()));
        ranOneByOne = plan == null;
        if (ranOneByOne) {
            return oneByOne.forward(in);
        }
        stages.stream().filter(s -> s.conv() != null).forEach(s -> s.conv().ranOnednn());
        pass = new Pass(plan);
        return pass.forward(x);
    }

    @Override
    public INDArray[] backward(INDArray gradOut) {
        if (ranOneByOne) {
            return oneByOne.backward(gradOut);
        }
        return new INDArray[] {pass.backward(gradOut)};
    }

    @Override
    public void clear() {
        oneByOne.clear();
        if (pass != null) {
            pass.release();
            pass = null;
        }
    }

    @Override
    public String describe() {
        return "blocked[" + oneByOne.describe() + "]";
    }

    /** The input shape and the precision each convolution computes in: what a plan depends on. */
    private List<Long> key(long[] shape) {
        List<Long> key = new ArrayList<>();
        for (long d : shape) {
            key.add(d);
        }
        stages.stream().filter(s -> s.conv() != null).forEach(s -> key.add((long) s.conv().precision().ordinal()));
        return key;
    }

    /** A blocked buffer of at least {@code bytes}, from the network's buffer pool. */
    private static INDArray buffer(long bytes) {
        return Memory.allocate(DataType.FLOAT, (bytes + Float.BYTES - 1) / Float.BYTES);
    }

    /** The primitives of one stage for one input shape, and the conversions into the layouts they read. */
    private static final class StagePlan {
        DnnlConvolution conv; // or null
        DnnlConvolution.Primitives convolution;
        DnnlMaxPool.Primitives pooling;
        DnnlRelu relu; // the ReLU's forward (a lone one) and gradient, on the buffer as a flat array
        dnnl_memory_desc_t src, dst, diffSrc, diffDst, mask;
        Call toSrc; // from the layout before (the previous stage's output, or NCHW) into src; null when the same
        Call toMask; // from the gradient's layout after (the next stage's diffSrc, or NCHW) into mask
        Call toDiffDst; // from mask into diffDst; null when the same
        long workspaceBytes;

        void close() {
            if (convolution != null) {
                convolution.close();
            }
            if (pooling != null) {
                pooling.close();
            }
            for (Call c : new Call[] {toSrc, toMask, toDiffDst}) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    /** Everything the run needs for one input shape. */
    private static final class Plan implements Plans.Native {
        final long[] inShape;
        long[] outShape;
        final StagePlan[] stages;
        Call toOutput; // last stage's output into the NCHW result
        Call toInputGradient; // first stage's diffSrc into the NCHW input gradient; null when it is NCHW already

        private Plan(long[] inShape, int n) {
            this.inShape = inShape.clone();
            this.stages = new StagePlan[n];
        }

        /** Null when a primitive declines its shape (the ops then run one by one). */
        static Plan build(List<Stage> stages, long[] inShape) {
            Plan plan = new Plan(inShape, stages.size());
            try {
                return plan.fill(stages) ? plan : plan.closed();
            } catch (RuntimeException e) {
                plan.close();
                throw e;
            }
        }

        private Plan closed() {
            close();
            return null;
        }

        private boolean fill(List<Stage> list) {
            long[] shape = inShape;
            dnnl_memory_desc_t before = Dnnl.desc(dnnl_nchw, shape);
            for (int i = 0; i < list.size(); i++) {
                Stage stage = list.get(i);
                StagePlan sp = new StagePlan();
                stages[i] = sp;
                if (stage.conv() != null) {
                    sp.conv = stage.conv().onednn();
                    boolean bf16 = stage.conv().precision() == Precision.BF16;
                    sp.convolution = sp.conv.primitives(shape, stage.relu(), nextConvolutionInBf16(list, i),
                            bf16 && i > 0 && list.get(i - 1).conv() != null);
                    if (sp.convolution == null) {
                        return false;
                    }
                    sp.src = sp.convolution.src();
                    sp.dst = sp.convolution.dst();
                    sp.diffSrc = sp.convolution.diffSrc();
                    sp.diffDst = sp.convolution.diffDst();
                    shape = sp.convolution.outShape();
                } else if (stage.pool() != null) {
                    long[][] g = stage.pool().geometry(shape);
                    sp.src = before;
                    sp.pooling = stage.pool().onednn().primitives(before, shape, g[0], g[1]);
                    if (sp.pooling == null) {
                        return false;
                    }
                    sp.dst = sp.pooling.dst();
                    sp.diffSrc = sp.src;
                    sp.diffDst = sp.dst;
                    sp.workspaceBytes = Dnnl.bytes(sp.pooling.workspace());
                    shape = g[0];
                } else { // a lone ReLU, element-wise on the layout it is given
                    sp.src = before;
                    sp.dst = before;
                    sp.diffSrc = before;
                    sp.diffDst = before;
                }
                if (stage.relu()) {
                    sp.relu = new DnnlRelu();
                    sp.mask = sp.dst;
                } else {
                    sp.mask = sp.diffDst;
                }
                sp.toSrc = Dnnl.same(before, sp.src) ? null : Dnnl.reorder(before, sp.src);
                before = sp.dst;
            }
            outShape = shape;
            dnnl_memory_desc_t outPlain = Dnnl.desc(dnnl_nchw, outShape);
            toOutput = Dnnl.reorder(before, outPlain);
            dnnl_memory_desc_t after = outPlain;
            for (int i = stages.length - 1; i >= 0; i--) {
                StagePlan sp = stages[i];
                sp.toMask = Dnnl.reorder(after, sp.mask); // a copy at the end, where the gradient is the caller's
                if (i < stages.length - 1 && Dnnl.same(after, sp.mask)) {
                    sp.toMask.close();
                    sp.toMask = null;
                }
                sp.toDiffDst = Dnnl.same(sp.mask, sp.diffDst) ? null : Dnnl.reorder(sp.mask, sp.diffDst);
                after = sp.diffSrc;
            }
            dnnl_memory_desc_t inPlain = Dnnl.desc(dnnl_nchw, inShape);
            toInputGradient = Dnnl.same(after, inPlain) ? null : Dnnl.reorder(after, inPlain);
            return true;
        }

        /**
         * Whether stage i's output is read by a bf16 convolution right after it: stage i may then write it in bf16
         * (it would be rounded there anyway), which saves a conversion each way. Not through a pool: oneDNN has
         * no bf16 max pool for some of these layouts, and pooling in float in between made wrong gradients.
         */
        private static boolean nextConvolutionInBf16(List<Stage> list, int i) {
            return i + 1 < list.size() && list.get(i + 1).conv() != null
                    && list.get(i + 1).conv().precision() == Precision.BF16;
        }

        @Override
        public void close() {
            for (StagePlan sp : stages) {
                if (sp != null) {
                    sp.close();
                }
            }
            if (toOutput != null) {
                toOutput.close();
            }
            if (toInputGradient != null) {
                toInputGradient.close();
            }
        }
    }

    /** One forward pass through a plan, and what its backward pass needs: the ReLU outputs and pool workspaces. */
    private final class Pass {
        private final Plan plan;
        private final INDArray[] outputs; // kept for the backward pass: a ReLU's output, masked with
        private final INDArray[] workspaces;

        Pass(Plan plan) {
            this.plan = plan;
            this.outputs = new INDArray[plan.stages.length];
            this.workspaces = new INDArray[plan.stages.length];
        }

        INDArray forward(INDArray x) {
            INDArray current = x; // the last stage's output (or the input), in that stage's layout
            boolean own = false; // whether current is this pass's and not kept for the backward pass
            for (int i = 0; i < plan.stages.length; i++) {
                StagePlan sp = plan.stages[i];
                INDArray src = current;
                if (sp.toSrc != null) {
                    src = buffer(Dnnl.bytes(sp.src));
                    sp.toSrc.run(Dnnl.address(current), Dnnl.address(src));
                }
                INDArray out = buffer(Dnnl.bytes(sp.dst));
                if (sp.convolution != null) {
                    sp.conv.forward(sp.convolution, Dnnl.address(src), Dnnl.address(out));
                } else if (sp.pooling != null) {
                    workspaces[i] = buffer(sp.workspaceBytes);
                    sp.pooling.forward().run(Dnnl.address(src), Dnnl.address(out), Dnnl.address(workspaces[i]));
                } else {
                    sp.relu.forward(Dnnl.address(src), Dnnl.address(out), Dnnl.elements(sp.src), sp.src.data_type());
                }
                if (src != current) {
                    Memory.release(src);
                }
                if (own) {
                    Memory.release(current);
                }
                current = out;
                own = !stages.get(i).keepsOutput();
                if (!own) {
                    outputs[i] = out;
                }
            }
            INDArray y = Memory.allocate(DataType.FLOAT, plan.outShape);
            plan.toOutput.run(Dnnl.address(current), Dnnl.address(y));
            if (own) {
                Memory.release(current);
            }
            return y;
        }

        INDArray backward(INDArray gradOut) {
            INDArray g = Memory.contiguous(gradOut) ? gradOut : gradOut.dup('c');
            Pointer current = Dnnl.address(g);
            INDArray held = null; // the buffer current points into, when it is this pass's
            for (int i = plan.stages.length - 1; i >= 0; i--) {
                StagePlan sp = plan.stages[i];
                INDArray mask = held;
                if (sp.toMask != null) {
                    mask = buffer(Dnnl.bytes(sp.mask));
                    sp.toMask.run(current, Dnnl.address(mask));
                    Memory.release(held);
                }
                if (outputs[i] != null) {
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
                INDArray diffSrc;
                if (sp.convolution != null) {
                    diffSrc = i == 0 && plan.toInputGradient == null
                            ? Memory.allocate(DataType.FLOAT, plan.inShape) : buffer(Dnnl.bytes(sp.diffSrc));
                    sp.convolution.inputGradient().run(Dnnl.address(diffDst), null, Dnnl.address(diffSrc));
                    Memory.release(diffDst);
                } else if (sp.pooling != null) {
                    diffSrc = i == 0 && plan.toInputGradient == null
                            ? Memory.allocate(DataType.FLOAT, plan.inShape) : buffer(Dnnl.bytes(sp.diffSrc));
                    sp.pooling.backward().run(Dnnl.address(diffDst), Dnnl.address(workspaces[i]),
                            Dnnl.address(diffSrc));
                    Memory.release(diffDst);
                    Memory.release(workspaces[i]);
                    workspaces[i] = null;
                } else {
                    diffSrc = diffDst; // a lone ReLU: masked above
                }
                held = diffSrc;
                current = Dnnl.address(diffSrc);
            }
            if (g != gradOut) {
                Memory.release(g);
            }
            if (plan.toInputGradient == null) {
                // made in NCHW by the first stage (a lone ReLU's is the flat buffer it masked)
                return java.util.Arrays.equals(held.shape(), plan.inShape) ? held : held.reshape(plan.inShape);
            }
            INDArray gradIn = Memory.allocate(DataType.FLOAT, plan.inShape);
            plan.toInputGradient.run(current, Dnnl.address(gradIn));
            Memory.release(held);
            return gradIn;
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
