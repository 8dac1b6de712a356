package featviz.model.op;

import static org.bytedeco.dnnl.global.dnnl.*;

import featviz.model.op.Dnnl.Call;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A float NCHW convolution and its input gradient as oneDNN primitives, built once per input shape.
 *
 * <p>The primitives choose their own (blocked) layouts; the arrays the network passes around stay NCHW, so
 * each call converts its input in and its output out, as PyTorch does. The weights are converted once per
 * layout a primitive wants and kept: converting them on every call would take as long as the convolution
 * itself for VGG19's 512-channel layers at batch 1. The forward and the input-gradient primitives want
 * different layouts (made to share one, oneDNN falls back to its reference code, 1000x slower), so the
 * weights are held twice; an owner that frees the NCHW weights ({@link #forgetPlainWeights}) keeps it at that.
 *
 * <p>Lucid's random scaling feeds the network a handful of input sizes in turn, so the primitives of the last
 * {@value Plans#KEPT} input shapes are kept; older ones, and everything native when the convolution is dropped,
 * are freed.
 */
final class DnnlConvolution {
    /** Input shapes whose primitives are kept: the standard transforms make 11 sizes. */
    static final int SHAPES = 16;
    private static final Cleaner CLEANER = Cleaner.create();

    private INDArray weights; // [outC, inC, kH, kW]; null once forgotten (the converted copies remain)
    private final long[] weightShape;
    private final INDArray bias; // [outC] or null
    private final long[] stride, dilation, padding;
    private final boolean same;
    private final Natives natives = new Natives();
    private Plan last; // the primitives of the last forward call, which backward uses
    private int type = dnnl_f32; // of the input and weights as the primitives read them (see precision)

    /** Explicit padding {@code padding} on both sides, or libnd4j's same mode when {@code same}. */
    DnnlConvolution(INDArray weights, INDArray bias, int[] stride, int[] padding, int[] dilation, boolean same) {
        this.weights = dense(weights);
        this.weightShape = weights.shape();
        this.bias = bias == null ? null : dense(bias);
        this.stride = new long[] {stride[0], stride[1]};
        this.dilation = new long[] {dilation[0] - 1, dilation[1] - 1}; // oneDNN counts the gaps
        this.padding = new long[] {padding[0], padding[1]};
        this.same = same;
        CLEANER.register(this, natives::close); // natives must not refer back to this
    }

    /**
     * The convolution of {@code input} (NCHW), or null when oneDNN does not take this call (not float, or a
     * same-mode geometry whose padding comes out negative): the caller then runs libnd4j's op.
     */
    INDArray forward(INDArray input) {
        if (!Dnnl.handles(input.dataType())) {
            return null;
        }
        Plan plan = plan(input.shape());
        last = plan;
        if (plan == null) {
            return null;
        }
        INDArray in = dense(input);
        Pointer src = plan.toSrc.in(in);
        INDArray out = plan.fromDst.target(plan.outShape());
        forward(plan.primitives, src, plan.fromDst.address(out));
        if (in != input) {
            in.close();
        }
        return plan.fromDst.finish(out, plan.outShape());
    }

    /**
     * Runs the convolution and its input gradient with inputs and weights in this precision from the next call
     * on. In {@link Precision#BF16} the NCHW float input is rounded to bf16 by the conversion into the primitive's
     * layout (no extra pass), the weights are converted once, and the output and the input gradient come out
     * in float: only the multiplications' operands are bf16, the sums are float.
     */
    void precision(Precision precision) {
        int wanted = precision == Precision.BF16 ? dnnl_bf16 : dnnl_f32;
        if (wanted != type) {
            natives.plans.close(); // primitives of the other type; the converted weights stay, by layout and type
            last = null;
            type = wanted;
        }
    }

    /**
     * The precision the last {@link #forward} call ran in, or null when oneDNN declined it: {@link Precision#FP32}
     * also where bf16 was asked for and oneDNN has only reference code for the shape.
     */
    Precision lastPrecision() {
        return last == null ? null : last.type() == dnnl_bf16 ? Precision.BF16 : Precision.FP32;
    }

    /** The gradient with respect to the input of the last {@link #forward} call, which oneDNN ran. */
    INDArray backward(INDArray gradOut) {
        Plan plan = last;
        INDArray g = dense(gradOut);
        Pointer diffDst = plan.toDiffDst.in(g);
        INDArray gradIn = plan.fromDiffSrc.target(plan.inShape());
        plan.primitives.inputGradient().run(diffDst, null, plan.fromDiffSrc.address(gradIn));
        if (g != gradOut) {
            g.close();
        }
        return plan.fromDiffSrc.finish(gradIn, plan.inShape());
    }

    /**
     * Lets go of the NCHW weights once a primitive holds them converted, so that their owner can free them:
     * weights kept in the layouts of both primitives only, not three times. New layouts are then converted
     * from a converted copy.
     */
    void forgetPlainWeights() {
        if (natives.weights.isEmpty()) {
            throw new IllegalStateException("no converted copy of the weights yet");
        }
        weights = null;
    }

    /** A new NCHW copy of the weights, converted back from the ones a primitive holds when they were forgotten. */
    INDArray plainWeights() {
        if (weights != null) {
            return weights.dup('c');
        }
        Natives.Converted from = natives.weights.get(0);
        INDArray plain;
        try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            plain = Nd4j.createUninitialized(DataType.FLOAT, weightShape);
        }
        Call reorder = Dnnl.reorder(from.layout(), Dnnl.desc(dnnl_oihw, weightShape));
        reorder.run(Dnnl.handle(from.memory()), Dnnl.address(plain));
        reorder.close();
        return plain;
    }

    private static INDArray dense(INDArray a) {
        return a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a) ? a : a.dup('c');
    }

    /** The primitives for this input shape, built unless kept; null when the geometry does not fit oneDNN. */
    private Plan plan(long[] shape) {
        return natives.plans.get(Arrays.stream(shape).boxed().toList(), key -> newPlan(shape));
    }

    private Plan newPlan(long[] shape) {
        Primitives p = primitives(shape, false, false, false);
        if (p == null) {
            return null;
        }
        dnnl_memory_desc_t srcPlain = Dnnl.desc(dnnl_nchw, shape), dstPlain = Dnnl.desc(dnnl_nchw, p.outShape());
        return new Plan(p, new Conversion(srcPlain, p.src()), new Conversion(p.dst(), dstPlain),
                new Conversion(dstPlain, p.diffDst()), new Conversion(p.diffSrc(), srcPlain));
    }

    /**
     * The output shape and the padding before and after, per spatial axis, for this input shape:
     * {@code {out, padBefore, padAfter}}; null for a same-mode geometry whose padding comes out negative.
     */
    private long[][] geometry(long[] shape) {
        long[] out = {shape[0], weightShape[0], 0, 0}, padBefore = new long[2], padAfter = new long[2];
        for (int d = 0; d < 2; d++) {
            long in = shape[2 + d], k = weightShape[2 + d], extent = (k - 1) * (dilation[d] + 1) + 1;
            if (same) {
                out[2 + d] = (in + stride[d] - 1) / stride[d];
                padBefore[d] = Ops.samePaddingBefore(in, out[2 + d], (int) k, (int) stride[d], (int) dilation[d] + 1);
                padAfter[d] = (out[2 + d] - 1) * stride[d] + extent - in - padBefore[d];
                if (padBefore[d] < 0) {
                    return null;
                }
            } else {
                out[2 + d] = (in + 2 * padding[d] - extent) / stride[d] + 1;
                padBefore[d] = padding[d];
                padAfter[d] = padding[d];
            }
        }
        return new long[][] {out, padBefore, padAfter};
    }

    /**
     * The forward and input-gradient primitives for this input shape, in layouts oneDNN chooses, in this
     * convolution's precision (float where bf16 has only reference code); null when the geometry does not fit
     * oneDNN. With {@code relu} the forward primitive applies a ReLU to its output as it writes it (a post-op),
     * which saves a pass over the output; the input gradient is then the caller's to mask. In bf16,
     * {@code narrowOutput} writes the output in bf16 too (for a bf16 convolution that reads it next and would
     * round it anyway) and {@code narrowGradient} the input gradient (for an op before it whose output is bf16);
     * otherwise they are float.
     */
    Primitives primitives(long[] shape, boolean relu, boolean narrowOutput, boolean narrowGradient) {
        long[][] g = geometry(shape);
        if (g == null) {
            return null;
        }
        if (type == dnnl_f32) {
            return build(shape, g[0], g[1], g[2], dnnl_f32, relu, false, false);
        }
        Primitives p = build(shape, g[0], g[1], g[2], type, relu, narrowOutput, narrowGradient);
        return p != null ? p : build(shape, g[0], g[1], g[2], dnnl_f32, relu, false, false);
    }

    /** Runs a forward primitive of {@link #primitives} from {@code src} to {@code dst}, in its layouts. */
    void forward(Primitives p, Pointer src, Pointer dst) {
        if (bias == null) {
            p.forward().run(src, null, dst);
        } else {
            p.forward().run(src, null, dst, Dnnl.address(bias));
        }
    }

    /**
     * Whether a bf16 primitive is one of oneDNN's reference implementations, hundreds of times slower than its
     * float kernels: the shape then stays in float.
     */
    private static boolean slowBf16(int type, dnnl_primitive_desc pd) {
        return type != dnnl_f32 && Dnnl.implementation(pd).startsWith("ref");
    }

    /**
     * @param type of the input, the weights and the output gradient as the primitives read them (f32 or bf16)
     * @return the primitives, or null when oneDNN has only its reference code for this type
     */
    private Primitives build(long[] in, long[] out, long[] padBefore, long[] padAfter, int type, boolean relu,
            boolean narrowOutput, boolean narrowGradient) {
        dnnl_memory_desc_t srcAny = Dnnl.typedDesc(type, dnnl_format_tag_any, in);
        dnnl_memory_desc_t dstAny = Dnnl.typedDesc(narrowOutput ? type : dnnl_f32, dnnl_format_tag_any, out);
        dnnl_memory_desc_t wAny = Dnnl.typedDesc(type, dnnl_format_tag_any, weightShape);
        // The input gradient comes out in float (unless narrowed), from an output gradient of the input's type.
        dnnl_memory_desc_t diffSrcAny = Dnnl.typedDesc(narrowGradient ? type : dnnl_f32, dnnl_format_tag_any, in);
        dnnl_memory_desc_t diffDstAny = Dnnl.typedDesc(type, dnnl_format_tag_any, out);
        dnnl_memory_desc_t biasMd = bias == null ? null : Dnnl.desc(dnnl_x, bias.length());
        try (LongPointer s = new LongPointer(stride); LongPointer dl = new LongPointer(dilation);
                LongPointer pl = new LongPointer(padBefore); LongPointer pr = new LongPointer(padAfter)) {
            // Winograd where it pays and oneDNN has it for this shape, else direct; the same for the input gradient.
            int[] algorithms = type == dnnl_f32 && winogradShape(out) && winograd()
                    ? new int[] {dnnl_convolution_winograd, dnnl_convolution_direct}
                    : new int[] {dnnl_convolution_direct};
            dnnl_primitive_desc fwdPd = firstOffered(algorithms, a -> {
                dnnl_convolution_desc_t fwd = new dnnl_convolution_desc_t();
                Dnnl.check(dnnl_dilated_convolution_forward_desc_init(fwd, dnnl_forward_training, a,
                        srcAny, wAny, biasMd, dstAny, s, dl, pl, pr), "describing a convolution");
                return fwd;
            }, null, relu, "choosing a convolution");
            if (slowBf16(type, fwdPd)) {
                Dnnl.destroy(fwdPd);
                return null;
            }
            dnnl_memory_desc_t src = Dnnl.query(fwdPd, dnnl_query_src_md), dst = Dnnl.query(fwdPd, dnnl_query_dst_md);
            dnnl_memory_desc_t w = Dnnl.query(fwdPd, dnnl_query_weights_md);
            Call convolution = bias == null
                    ? new Call("convolving", fwdPd, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST},
                            new dnnl_memory_desc_t[] {src, w, dst})
                    : new Call("convolving", fwdPd,
                            new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST, DNNL_ARG_BIAS},
                            new dnnl_memory_desc_t[] {src, w, dst, biasMd});
            convolution.bind(DNNL_ARG_WEIGHTS, weightsIn(w));

            dnnl_primitive_desc bwdPd = firstOffered(algorithms, a -> {
                dnnl_convolution_desc_t bwd = new dnnl_convolution_desc_t();
                Dnnl.check(dnnl_dilated_convolution_backward_data_desc_init(bwd, a, diffSrcAny, wAny,
                        diffDstAny, s, dl, pl, pr), "describing a convolution's input gradient");
                return bwd;
            }, fwdPd, false, "choosing a convolution's input gradient");
            if (slowBf16(type, bwdPd)) {
                convolution.close();
                Dnnl.destroy(bwdPd);
                Dnnl.destroy(fwdPd);
                return null;
            }
            dnnl_memory_desc_t diffSrc = Dnnl.query(bwdPd, dnnl_query_diff_src_md);
            dnnl_memory_desc_t diffDst = Dnnl.query(bwdPd, dnnl_query_diff_dst_md);
            dnnl_memory_desc_t wb = Dnnl.query(bwdPd, dnnl_query_weights_md);
            Call inputGradient = new Call("computing a convolution's input gradient", bwdPd,
                    new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC},
                    new dnnl_memory_desc_t[] {diffDst, wb, diffSrc});
            inputGradient.bind(DNNL_ARG_WEIGHTS, weightsIn(wb));
            Dnnl.destroy(bwdPd);
            Dnnl.destroy(fwdPd);
            return new Primitives(in.clone(), out, convolution, inputGradient, src, dst, diffSrc, diffDst, type);
        }
    }

    /**
     * The primitive descriptor of the first of {@code algorithms} oneDNN implements for the op {@code describe}
     * gives; the last one must be implemented (direct always is).
     */
    private static dnnl_primitive_desc firstOffered(int[] algorithms, IntFunction<Pointer> describe,
            dnnl_primitive_desc hint, boolean relu, String what) {
        for (int i = 0; i < algorithms.length - 1; i++) {
            dnnl_primitive_desc pd = Dnnl.offeredPrimitiveDesc(describe.apply(algorithms[i]), hint, relu, what);
            if (pd != null) {
                return pd;
            }
        }
        return Dnnl.primitiveDesc(describe.apply(algorithms[algorithms.length - 1]), hint, relu, what);
    }

    private static boolean winograd() {
        return Boolean.parseBoolean(System.getProperty(Precision.WINOGRAD_PROPERTY, "true"));
    }

    /**
     * Float 3x3 stride-1 undilated convolutions go through oneDNN's Winograd F(4x4, 3x3) where it has it (AVX-512
     * CPUs): 4x fewer multiplications; VGG19's step takes 0.6x the direct algorithm's time. It rounds 2-5x more
     * (about 1e-6 relative to the double-precision answer instead of 3-6e-7: WinogradAccuracyTest). oneDNN
     * transforms the weights on every call of a training-mode primitive, which only pays where the output has enough
     * 4x4 tiles: per call on an AMD EPYC (Zen 4), Winograd took 0.4-0.8x the direct time from 49 tiles (28x28 at batch
     * 1) up, but 1.6-1.8x on VGG's 14x14 maps at batch 1 (16 tiles) and 1.9-5.9x on ResNet's 7x7 at batch 1 and 8 (4
     * and 32 tiles); and a layer with few channels in or out (VGG's first, a one-filter target) ran 2-3x slower.
     * bf16 has no Winograd.
     */
    private boolean winogradShape(long[] out) {
        long tiles = out[0] * ((out[2] + 3) / 4) * ((out[3] + 3) / 4);
        return weightShape[2] == 3 && weightShape[3] == 3 && stride[0] == 1 && stride[1] == 1
                && dilation[0] == 0 && dilation[1] == 0 && weightShape[0] >= 16 && weightShape[1] >= 16
                && tiles >= MIN_WINOGRAD_TILES;
    }

    /** Where Winograd starts to pay: the tiles of a 28x28 map (measured above). */
    private static final long MIN_WINOGRAD_TILES = 49;

    /** The weights in this layout, converted the first time a primitive asks for it. */
    private dnnl_memory weightsIn(dnnl_memory_desc_t layout) {
        for (Natives.Converted c : natives.weights) {
            if (Dnnl.same(c.layout(), layout)) {
                return c.memory();
            }
        }
        dnnl_memory owned = Dnnl.ownedMemory(layout);
        Call reorder;
        if (weights != null) {
            reorder = Dnnl.reorder(Dnnl.desc(dnnl_oihw, weightShape), layout);
            reorder.run(Dnnl.address(weights), Dnnl.handle(owned));
        } else {
            Natives.Converted from = natives.weights.get(0);
            reorder = Dnnl.reorder(from.layout(), layout);
            reorder.run(Dnnl.handle(from.memory()), Dnnl.handle(owned));
        }
        reorder.close();
        natives.weights.add(new Natives.Converted(layout, owned));
        return owned;
    }

    /**
     * A convolution's forward and input-gradient primitives for one input shape, with the layouts they read and
     * write ({@code type} being what the input, weights and output gradient are read as).
     */
    record Primitives(long[] inShape, long[] outShape, Call forward, Call inputGradient, dnnl_memory_desc_t src,
            dnnl_memory_desc_t dst, dnnl_memory_desc_t diffSrc, dnnl_memory_desc_t diffDst, int type)
            implements Plans.Native {
        @Override
        public void close() {
            forward.close();
            inputGradient.close();
        }
    }

    /** The primitives for one input shape, and the conversions between their layouts and NCHW. */
    private record Plan(Primitives primitives, Conversion toSrc, Conversion fromDst, Conversion toDiffDst,
            Conversion fromDiffSrc) implements Plans.Native {
        long[] inShape() {
            return primitives.inShape();
        }

        long[] outShape() {
            return primitives.outShape();
        }

        int type() {
            return primitives.type();
        }

        @Override
        public void close() {
            primitives.close();
            for (Conversion c : new Conversion[] {toSrc, fromDst, toDiffDst, fromDiffSrc}) {
                c.close();
            }
        }
    }

    /** Everything native one convolution holds, freed when the convolution is unreachable. */
    private static final class Natives {
        record Converted(dnnl_memory_desc_t layout, dnnl_memory memory) {
        }

        final List<Converted> weights = new ArrayList<>();
        final Plans<List<Long>, Plan> plans = new Plans<>();

        void close() {
            plans.close();
            weights.forEach(c -> Dnnl.destroy(c.memory()));
            weights.clear();
        }
    }
}
