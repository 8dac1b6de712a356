package featviz.model.op;

import static org.bytedeco.dnnl.global.dnnl.*;

import featviz.model.op.Dnnl.Call;
import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_pooling_v2_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Max pooling of float NCHW arrays as oneDNN primitives, the forward pass recording where each maximum was
 * (oneDNN's workspace) so that the backward pass is a scatter. {@link MaxPoolKernel}'s Java loops took 22 ms
 * for ResNet-50's stem pool at batch 8 (3x3/2 over 8x64x112x112), PyTorch 5.
 *
 * <p>Semantics are libnd4j's, as {@link MaxPoolKernel}'s: padding never wins, and among equal values the
 * first in row-major window order takes the maximum and its gradient. Primitives are built per input shape;
 * the last {@value Plans#KEPT} are kept, each with its workspace and conversions.
 */
final class DnnlMaxPool {
    private static final Cleaner CLEANER = Cleaner.create();

    private final long[] kernel, stride, dilation; // dilation as oneDNN counts it: the gaps
    private final Plans<List<Long>, Plan> plans = new Plans<>();
    private Plan last; // the primitives of the last forward call, which backward uses

    DnnlMaxPool(int kH, int kW, int sH, int sW, int dH, int dW) {
        this.kernel = new long[] {kH, kW};
        this.stride = new long[] {sH, sW};
        this.dilation = new long[] {dH - 1, dW - 1};
        CLEANER.register(this, plans::close); // the plans must not refer back to this
    }

    /**
     * Pools {@code in} [N, C, H, W] into a new [N, C, OH, OW] array ({@code outShape}), windows starting
     * {@code padTop} and {@code padLeft} before the image; null (nothing done) when oneDNN declines the geometry
     * or offers only its plain loops for it.
     */
    INDArray forward(INDArray in, long[] outShape, int padTop, int padLeft) {
        List<Long> key = Arrays.asList(in.size(0), in.size(1), in.size(2), in.size(3), outShape[2], outShape[3],
                (long) padTop, (long) padLeft);
        Plan plan = plans.get(key, k -> build(in.shape(), outShape, new long[] {padTop, padLeft}));
        last = plan;
        if (plan == null) {
            return null;
        }
        Pointer src = plan.toSrc.in(in);
        INDArray out = plan.fromDst.target(outShape);
        plan.primitives.forward().run(src, plan.fromDst.address(out), null);
        return plan.fromDst.finish(out, outShape);
    }

    /** The input gradient of the last {@link #forward} call, which did not return null. */
    INDArray backward(INDArray gradOut) {
        Plan plan = last;
        Pointer diffDst = plan.toDiffDst.in(gradOut);
        long[] inShape = plan.inShape;
        INDArray gradIn = plan.fromDiffSrc.target(inShape);
        plan.primitives.backward().run(diffDst, null, plan.fromDiffSrc.address(gradIn));
        return plan.fromDiffSrc.finish(gradIn, inShape);
    }

    /**
     * The primitives for one geometry, on the NCHW arrays themselves when oneDNN has jit code for that, else
     * on channel blocks with conversions either side: for VGG19's first pool (64x224x224) oneDNN offers only
     * plain loops on NCHW (12 ms forward), the Java kernel takes 6, the conversions and blocked pooling 1.5.
     * Null when no layout gets jit code.
     */
    private Plan build(long[] in, long[] out, long[] padBefore) {
        for (int layout : new int[] {dnnl_nchw, dnnl_nChw16c, dnnl_nChw8c}) {
            dnnl_memory_desc_t src = Dnnl.desc(layout, in);
            Primitives p = primitives(src, in, out, padBefore);
            if (p != null) {
                dnnl_memory workspace = Dnnl.ownedMemory(p.workspace());
                p.forward().bind(DNNL_ARG_WORKSPACE, workspace);
                p.backward().bind(DNNL_ARG_WORKSPACE, workspace);
                dnnl_memory_desc_t srcPlain = Dnnl.desc(dnnl_nchw, in), dstPlain = Dnnl.desc(dnnl_nchw, out);
                return new Plan(in.clone(), p, workspace, new Conversion(srcPlain, src),
                        new Conversion(p.dst(), dstPlain), new Conversion(dstPlain, p.dst()),
                        new Conversion(src, srcPlain));
            }
        }
        return null;
    }

    /**
     * The forward and backward primitives for an input in layout {@code src}, the output in the same layout;
     * null when oneDNN does not describe the geometry or has only plain loops for it (or none, for this type). The forward call's
     * arguments are source, destination and workspace (where each maximum was), the backward call's output
     * gradient, workspace and input gradient; the workspace is the caller's to provide to both.
     */
    Primitives primitives(dnnl_memory_desc_t src, long[] in, long[] out, long[] padBefore) {
        long[] padAfter = new long[2];
        for (int d = 0; d < 2; d++) {
            long extent = (kernel[d] - 1) * (dilation[d] + 1) + 1;
            padAfter[d] = (out[2 + d] - 1) * stride[d] + extent - in[2 + d] - padBefore[d];
        }
        dnnl_memory_desc_t dstAny = Dnnl.typedDesc(src.data_type(), dnnl_format_tag_any, out); // the input's type
        dnnl_pooling_v2_desc_t fwd = new dnnl_pooling_v2_desc_t();
        if (dnnl_pooling_v2_forward_desc_init(fwd, dnnl_forward_training, dnnl_pooling_max, src, dstAny, stride, kernel,
                dilation, padBefore, padAfter) != dnnl_success) {
            return null; // a geometry oneDNN does not describe: the Java kernel takes it
        }
        dnnl_primitive_desc fwdPd;
        try {
            fwdPd = Dnnl.primitiveDesc(fwd, null, "choosing a max pool");
        } catch (IllegalStateException e) {
            return null; // no implementation for this layout and type (bf16 in some layouts)
        }
        if (!Dnnl.implementation(fwdPd).startsWith("jit")) {
            Dnnl.destroy(fwdPd);
            return null;
        }
        dnnl_memory_desc_t dst = Dnnl.query(fwdPd, dnnl_query_dst_md);
        dnnl_pooling_v2_desc_t bwd = new dnnl_pooling_v2_desc_t();
        Dnnl.check(dnnl_pooling_v2_backward_desc_init(bwd, dnnl_pooling_max, src, dst, stride, kernel, dilation,
                padBefore, padAfter), "describing a max pool's gradient");
        dnnl_primitive_desc bwdPd = Dnnl.primitiveDesc(bwd, fwdPd, "choosing a max pool's gradient");
        try {
            dnnl_memory_desc_t ws = Dnnl.query(fwdPd, dnnl_query_workspace_md);
            Call forward = new Call("max pooling", fwdPd, new int[] {DNNL_ARG_SRC, DNNL_ARG_DST, DNNL_ARG_WORKSPACE},
                    new dnnl_memory_desc_t[] {src, dst, ws});
            Call backward = new Call("max pooling's gradient", bwdPd,
                    new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WORKSPACE, DNNL_ARG_DIFF_SRC},
                    new dnnl_memory_desc_t[] {dst, ws, src});
            return new Primitives(forward, backward, dst, ws);
        } finally {
            Dnnl.destroy(bwdPd);
            Dnnl.destroy(fwdPd);
        }
    }

    /** A max pool's primitives for one input layout, and the layouts of its output and workspace. */
    record Primitives(Call forward, Call backward, dnnl_memory_desc_t dst, dnnl_memory_desc_t workspace)
            implements Plans.Native {
        @Override
        public void close() {
            forward.close();
            backward.close();
        }
    }

    private record Plan(long[] inShape, Primitives primitives, dnnl_memory workspace, Conversion toSrc,
            Conversion fromDst, Conversion toDiffDst, Conversion fromDiffSrc) implements Plans.Native {
        @Override
        public void close() {
            primitives.close();
            Dnnl.destroy(workspace);
            for (Conversion c : new Conversion[] {toSrc, fromDst, toDiffDst, fromDiffSrc}) {
                c.close();
            }
        }
    }
}
