package featviz.model.op;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The convolution's input gradient as a transposed convolution (no weight gradient) equals libnd4j's
 * {@code conv2d_bp} and central finite differences: strides 1 to 3, odd and even kernels and sizes, with
 * and without padding, in truncate and same mode, where the stride leaves the last rows and columns
 * unread (their gradient is zero) or covers the padded input exactly.
 */
class Conv2dBackwardTest {

    record Geometry(int k, int s, int p, boolean same, int h, int w) {
        @Override
        public String toString() {
            return "k" + k + " s" + s + " p" + p + (same ? " same" : " truncate") + " " + h + "x" + w;
        }
    }

    static List<Geometry> geometries() {
        List<Geometry> all = new ArrayList<>();
        for (int s : new int[] {1, 2, 3}) {
            for (int k : new int[] {1, 2, 3, 7}) {
                for (int[] hw : new int[][] {{9, 10}, {10, 11}, {12, 12}, {13, 13}}) {
                    for (int p : new int[] {0, 1, 3}) {
                        if (hw[0] + 2 * p >= k && p < k) {
                            all.add(new Geometry(k, s, p, false, hw[0], hw[1]));
                        }
                    }
                    all.add(new Geometry(k, s, 0, true, hw[0], hw[1]));
                }
            }
        }
        return all;
    }

    static Conv2d conv(Geometry g, int inChannels, long seed) {
        return conv(g, inChannels, 3, DataType.DOUBLE, seed);
    }

    static Conv2d conv(Geometry g, int inChannels, int outChannels, DataType dt, long seed) {
        INDArray w = GradientCheck.uniform(dt, seed, outChannels, inChannels, g.k, g.k).subi(0.5);
        INDArray b = GradientCheck.uniform(dt, seed + 1, outChannels).subi(0.5);
        return new Conv2d(w, b, new int[] {g.s, g.s}, new int[] {g.p, g.p}, new int[] {1, 1}, g.same);
    }

    /** Same mode where libnd4j's padding rule gives a negative top or left padding: conv2d_bp does those. */
    static boolean negativeSamePadding(Geometry g) {
        if (!g.same) {
            return false;
        }
        long outH = (g.h + g.s - 1) / g.s, outW = (g.w + g.s - 1) / g.s;
        return ((outH - 1) * g.s + g.k - g.h) / 2 < 0 || ((outW - 1) * g.s + g.k - g.w) / 2 < 0;
    }

    @Test
    void transposedConvolutionEqualsConv2dBp() {
        int checked = 0;
        for (Geometry g : geometries()) {
            Conv2d conv = conv(g, 2, 3);
            INDArray x = GradientCheck.uniform(DataType.DOUBLE, 5, 2, 2, g.h, g.w).subi(0.5);
            INDArray y = conv.forward(x);
            INDArray gradOut = GradientCheck.uniform(DataType.DOUBLE, 7, y.shape()).subi(0.5);
            INDArray expected = conv.convolutionBackprop(gradOut);
            INDArray actual = conv.transposedConvolution(gradOut);
            if (negativeSamePadding(g)) {
                continue;
            }
            assertNotNull(actual, g + " fell back to conv2d_bp");
            assertArrayEquals(x.shape(), actual.shape(), g.toString());
            double err = expected.sub(actual).amaxNumber().doubleValue();
            assertTrue(err < 1e-12, g + ": differs from conv2d_bp by " + err);
            checked++;
        }
        assertTrue(checked > 100, "only " + checked + " geometries checked");
    }

    /** In FLOAT libnd4j runs both ops through oneDNN (double takes its generic code): the same answers. */
    @Test
    void transposedConvolutionEqualsConv2dBpInFloat() {
        int checked = 0;
        for (Geometry g : geometries()) {
            if (negativeSamePadding(g)) {
                continue;
            }
            Conv2d conv = conv(g, 16, 8, DataType.FLOAT, 3);
            INDArray x = GradientCheck.uniform(DataType.FLOAT, 5, 2, 16, g.h, g.w).subi(0.5);
            INDArray y = conv.forward(x);
            INDArray gradOut = GradientCheck.uniform(DataType.FLOAT, 7, y.shape()).subi(0.5);
            INDArray expected = conv.convolutionBackprop(gradOut);
            INDArray actual = conv.transposedConvolution(gradOut);
            assertNotNull(actual, g + " fell back to conv2d_bp");
            double err = expected.sub(actual).amaxNumber().doubleValue() / expected.amaxNumber().doubleValue();
            assertTrue(err < 1e-5, g + ": differs from conv2d_bp by " + err);
            checked++;
        }
        assertTrue(checked > 100, "only " + checked + " geometries checked");
    }

    @Test
    void inputGradientMatchesFiniteDifferencesAtEveryPixel() {
        for (Geometry g : geometries()) {
            Conv2d conv = conv(g, 2, 11);
            INDArray x = GradientCheck.uniform(DataType.DOUBLE, 13, 1, 2, g.h, g.w).subi(0.5);
            INDArray y = conv.forward(x);
            INDArray probe = GradientCheck.uniform(DataType.DOUBLE, 17, y.shape()).subi(0.5);
            INDArray grad = conv.backward(probe.dup())[0];
            long m = probe.length();
            // f(x) = sum(probe * conv(x)), per image of a batch.
            Function<INDArray, INDArray> f = batch -> conv.forward(batch).reshape(batch.size(0), m).mmul(probe.reshape(m, 1));
            // f is linear in x, so the differences err by rounding only (relative 1e-6 where the
            // gradient is small); a wrong gradient errs by order 1.
            double err = GradientCheck.maxRelativeErrorBatched(f, x, grad);
            assertTrue(err < 1e-4, g + ": max relative error " + err);
        }
    }
}
