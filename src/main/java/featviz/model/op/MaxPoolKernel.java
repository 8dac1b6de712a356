package featviz.model.op;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Max pooling for the CPU backend, written here because libnd4j's is the slowest op of a VGG or ResNet
 * step: its oneDNN path re-orders every tensor to a blocked layout and back, and its backward pass
 * recomputes the forward pass to find the maxima (measured at 64x224x224, 2x2/2: 29 ms forward and 50 ms
 * backward, against PyTorch's 5 and 1.5). This kernel remembers where each maximum was, so the backward
 * pass is one scatter: 2x2/2 and 3x3/2 pools cost a few milliseconds each way.
 *
 * <p>Semantics are libnd4j's: padding never wins (it is skipped, not read as zero), and among equal
 * values the first in row-major window order takes the maximum and its gradient. Works on contiguous
 * NCHW float or double arrays in host memory, one plane (one image, one channel) at a time, planes in
 * parallel; the float and double loops are twins because Java cannot be generic over primitive arrays.
 */
final class MaxPoolKernel {
    private final int kH, kW, sH, sW, dH, dW;

    MaxPoolKernel(int kH, int kW, int sH, int sW, int dH, int dW) {
        this.kH = kH;
        this.kW = kW;
        this.sH = sH;
        this.sW = sW;
        this.dH = dH;
        this.dW = dW;
    }

    /** Whether this kernel can run on the arrays of the current ND4J backend (host memory). */
    static boolean supports(INDArray a) {
        return (a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE)
                && a.data().getClass().getName().startsWith("org.nd4j.linalg.cpu.");
    }

    /**
     * Pools {@code in} [N, C, H, W] into {@code out} [N, C, OH, OW] with the window's top-left corner at
     * (oy * sH - padTop, ox * sW - padLeft), recording for each output the in-plane index of its maximum.
     */
    void forward(INDArray in, INDArray out, int padTop, int padLeft, int[] argmax) {
        Geometry g = new Geometry(in, out);
        Windows rows = new Windows(g.oh, sH, padTop, dH, kH, g.h);
        Windows cols = new Windows(g.ow, sW, padLeft, dW, kW, g.w);
        if (in.dataType() == DataType.FLOAT) {
            FloatBuffer x = floats(in);
            FloatBuffer y = floats(out);
            planes(g).forEach(p -> forwardPlane(x, y, p, g, rows, cols, argmax));
        } else {
            DoubleBuffer x = doubles(in);
            DoubleBuffer y = doubles(out);
            planes(g).forEach(p -> forwardPlane(x, y, p, g, rows, cols, argmax));
        }
    }

    /** Writes the input gradient: each output's gradient goes to the input that was its maximum. */
    void backward(INDArray gradOut, INDArray gradIn, int[] argmax) {
        Geometry g = new Geometry(gradIn, gradOut);
        if (gradIn.dataType() == DataType.FLOAT) {
            FloatBuffer dy = floats(gradOut);
            FloatBuffer dx = floats(gradIn);
            planes(g).forEach(p -> {
                // In plane-sized Java arrays, copied in and out in bulk: element-wise access to the direct
                // buffers made this pass 4x slower than the forward one.
                float[] in = planeArray(FLOAT_IN, g.inPlane);
                float[] out = planeArray(FLOAT_OUT, g.outPlane);
                int out0 = p * g.outPlane;
                dy.get(out0, out, 0, g.outPlane);
                Arrays.fill(in, 0, g.inPlane, 0f);
                for (int o = 0; o < g.outPlane; o++) {
                    in[argmax[out0 + o]] += out[o];
                }
                dx.put(p * g.inPlane, in, 0, g.inPlane);
            });
        } else {
            DoubleBuffer dy = doubles(gradOut);
            DoubleBuffer dx = doubles(gradIn);
            planes(g).forEach(p -> {
                int in0 = p * g.inPlane;
                int out0 = p * g.outPlane;
                for (int i = 0; i < g.inPlane; i++) {
                    dx.put(in0 + i, 0d);
                }
                for (int o = 0; o < g.outPlane; o++) {
                    int i = in0 + argmax[out0 + o];
                    dx.put(i, dx.get(i) + dy.get(out0 + o));
                }
            });
        }
    }

    private void forwardPlane(FloatBuffer x, FloatBuffer y, int p, Geometry g, Windows rows, Windows cols, int[] argmax) {
        // Plane-sized Java arrays: bulk copies in and out are cheaper than per-element buffer access.
        float[] in = planeArray(FLOAT_IN, g.inPlane);
        float[] out = planeArray(FLOAT_OUT, g.outPlane);
        x.get(p * g.inPlane, in, 0, g.inPlane);
        int out0 = p * g.outPlane;
        if (isPlain2x2(rows, cols)) {
            forward2x2(in, out, g, argmax, out0);
            y.put(out0, out, 0, g.outPlane);
            return;
        }
        if (isInside3x3(rows, cols)) {
            forward3x3(in, out, g, argmax, out0);
            y.put(out0, out, 0, g.outPlane);
            return;
        }
        for (int oy = 0; oy < g.oh; oy++) {
            int y0 = rows.start[oy], kyFrom = rows.from[oy], kyTo = rows.to[oy];
            for (int ox = 0; ox < g.ow; ox++) {
                int x0 = cols.start[ox], kxFrom = cols.from[ox], kxTo = cols.to[ox];
                int at = (y0 + kyFrom * dH) * g.w + x0 + kxFrom * dW;
                float best = in[at];
                for (int ky = kyFrom; ky < kyTo; ky++) {
                    int row = (y0 + ky * dH) * g.w + x0;
                    for (int kx = kxFrom; kx < kxTo; kx++) {
                        int i = row + kx * dW;
                        if (in[i] > best) {
                            best = in[i];
                            at = i;
                        }
                    }
                }
                out[oy * g.ow + ox] = best;
                argmax[out0 + oy * g.ow + ox] = at;
            }
        }
        y.put(out0, out, 0, g.outPlane);
    }

    /** VGG's pool: 2x2 windows, stride 2, every window inside the image (no padding, as in truncate mode). */
    private boolean isPlain2x2(Windows rows, Windows cols) {
        return kH == 2 && kW == 2 && sH == 2 && sW == 2 && dH == 1 && dW == 1 && rows.start[0] == 0
                && cols.start[0] == 0 && rows.to[rows.to.length - 1] == 2 && cols.to[cols.to.length - 1] == 2;
    }

    /**
     * The 2x2 window as a tree of independent comparisons (pairs of columns, then the two rows) rather than
     * one running maximum: the comparisons are unpredictable on activations, and this form compiles to
     * conditional moves. Measured 2x faster than the loop above. Ties go to the first in row-major order.
     */
    private static void forward2x2(float[] in, float[] out, Geometry g, int[] argmax, int out0) {
        int w = g.w;
        for (int oy = 0; oy < g.oh; oy++) {
            int row = 2 * oy * w;
            int o = oy * g.ow;
            for (int ox = 0; ox < g.ow; ox++, o++) {
                int i = row + 2 * ox;
                float a = in[i], b = in[i + 1], c = in[i + w], d = in[i + w + 1];
                int top = b > a ? 1 : 0;
                int bottom = d > c ? 1 : 0;
                float maxTop = Math.max(a, b), maxBottom = Math.max(c, d);
                boolean lower = maxBottom > maxTop;
                out[o] = lower ? maxBottom : maxTop;
                argmax[out0 + o] = lower ? i + w + bottom : i + top;
            }
        }
    }

    /** ResNet's stem pool: 3x3 windows, any stride, every window inside the image (no padding). */
    private boolean isInside3x3(Windows rows, Windows cols) {
        return kH == 3 && kW == 3 && dH == 1 && dW == 1 && rows.start[0] == 0 && cols.start[0] == 0
                && rows.to[rows.to.length - 1] == 3 && cols.to[cols.to.length - 1] == 3;
    }

    /**
     * The 3x3 window in two passes over each output row: the maxima as a tree of {@code Math.max} (no
     * branches), then each maximum's position as the first window element equal to it, which is the first
     * in row-major order. One pass that tracks the position alongside the running maximum mispredicts its
     * branches on activations: 50 ms per 512 planes of 112x112 on one thread, against 28 for this form.
     */
    private void forward3x3(float[] in, float[] out, Geometry g, int[] argmax, int out0) {
        int w = g.w;
        for (int oy = 0; oy < g.oh; oy++) {
            int first = oy * g.ow;
            int row0 = oy * sH * w;
            for (int ox = 0, o = first; ox < g.ow; ox++, o++) {
                int i = row0 + ox * sW;
                float top = Math.max(Math.max(in[i], in[i + 1]), in[i + 2]);
                float middle = Math.max(Math.max(in[i + w], in[i + w + 1]), in[i + w + 2]);
                float bottom = Math.max(Math.max(in[i + 2 * w], in[i + 2 * w + 1]), in[i + 2 * w + 2]);
                out[o] = Math.max(Math.max(top, middle), bottom);
            }
            for (int ox = 0, o = first; ox < g.ow; ox++, o++) {
                int i = row0 + ox * sW;
                float m = out[o];
                int at = in[i] == m ? i : in[i + 1] == m ? i + 1 : in[i + 2] == m ? i + 2
                        : in[i + w] == m ? i + w : in[i + w + 1] == m ? i + w + 1 : in[i + w + 2] == m ? i + w + 2
                        : in[i + 2 * w] == m ? i + 2 * w : in[i + 2 * w + 1] == m ? i + 2 * w + 1 : i + 2 * w + 2;
                out[o] = in[at]; // the winner's own value (Math.max turns a -0 maximum into +0)
                argmax[out0 + o] = at;
            }
        }
    }

    private void forwardPlane(DoubleBuffer x, DoubleBuffer y, int p, Geometry g, Windows rows, Windows cols, int[] argmax) {
        double[] in = new double[g.inPlane];
        double[] out = new double[g.outPlane];
        x.get(p * g.inPlane, in, 0, g.inPlane);
        int out0 = p * g.outPlane;
        for (int oy = 0; oy < g.oh; oy++) {
            int y0 = rows.start[oy], kyFrom = rows.from[oy], kyTo = rows.to[oy];
            for (int ox = 0; ox < g.ow; ox++) {
                int x0 = cols.start[ox], kxFrom = cols.from[ox], kxTo = cols.to[ox];
                int at = (y0 + kyFrom * dH) * g.w + x0 + kxFrom * dW;
                double best = in[at];
                for (int ky = kyFrom; ky < kyTo; ky++) {
                    int row = (y0 + ky * dH) * g.w + x0;
                    for (int kx = kxFrom; kx < kxTo; kx++) {
                        int i = row + kx * dW;
                        if (in[i] > best) {
                            best = in[i];
                            at = i;
                        }
                    }
                }
                out[oy * g.ow + ox] = best;
                argmax[out0 + oy * g.ow + ox] = at;
            }
        }
        y.put(out0, out, 0, g.outPlane);
    }

    private static final ThreadLocal<float[]> FLOAT_IN = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> FLOAT_OUT = ThreadLocal.withInitial(() -> new float[0]);

    /** This thread's array of at least {@code length} floats, grown when too small. */
    private static float[] planeArray(ThreadLocal<float[]> own, int length) {
        float[] a = own.get();
        if (a.length < length) {
            own.set(a = new float[length]);
        }
        return a;
    }

    /**
     * Along one axis, for each output position: where its window starts (may be negative, in the padding)
     * and the range of kernel taps that fall inside [0, size). Computed once per call, not per output.
     */
    private record Windows(int[] start, int[] from, int[] to) {
        Windows(int outputs, int stride, int pad, int dilation, int taps, int size) {
            this(new int[outputs], new int[outputs], new int[outputs]);
            for (int o = 0; o < outputs; o++) {
                int s = o * stride - pad;
                start[o] = s;
                from[o] = s >= 0 ? 0 : (-s + dilation - 1) / dilation;
                to[o] = Math.min(taps, Math.floorDiv(size - 1 - s, dilation) + 1);
            }
        }
    }

    /** Sizes of the input and output planes; both arrays are contiguous NCHW. */
    private record Geometry(int planes, int h, int w, int oh, int ow, int inPlane, int outPlane) {
        Geometry(INDArray in, INDArray out) {
            this((int) (in.size(0) * in.size(1)), (int) in.size(2), (int) in.size(3), (int) out.size(2),
                    (int) out.size(3), (int) (in.size(2) * in.size(3)), (int) (out.size(2) * out.size(3)));
        }
    }

    private static IntStream planes(Geometry g) {
        // The common pool plus the calling thread: both cores on this 2-core machine.
        return IntStream.range(0, g.planes).parallel();
    }

    private static FloatBuffer floats(INDArray a) {
        requireDense(a);
        return a.data().asNioFloat();
    }

    private static DoubleBuffer doubles(INDArray a) {
        requireDense(a);
        return a.data().asNioDouble();
    }

    private static void requireDense(INDArray a) {
        if (!Memory.contiguous(a)) {
            throw new IllegalArgumentException("max pooling needs a contiguous array");
        }
    }
}
