package featviz.model.op;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import featviz.GradientCheck;
import featviz.model.op.Conv2dBackwardTest.Geometry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * oneDNN's bf16 convolution and its input gradient, against libnd4j's float ones on every geometry of
 * {@link Conv2dBackwardTest}: the known answer is the float convolution of the operands rounded to bf16 (round to
 * nearest even, done here in Java), which the bf16 path must match to float accuracy (it multiplies bf16 and sums in
 * float); against the float convolution of the unrounded operands it must be within bf16's tolerance, and not equal
 * (or bf16 did not run). Skipped, with the reason, on CPUs without AVX512_BF16 or AMX.
 */
class Bf16ConvolutionTest {
    /** bf16 keeps 8 significant bits: each operand is off by up to 2^-9 relative; sums of random signs stay under 1%. */
    private static final double BF16_TOLERANCE = 1e-2;
    /** Float sums of the same products in another order. */
    private static final double FLOAT_TOLERANCE = 1e-5;

    @BeforeAll
    static void needsBf16() {
        String why = Precision.BF16.unavailableReason();
        assumeTrue(why == null, () -> "bf16 cannot run here: " + why);
    }

    @Test
    void bf16ConvolutionIsTheFloatConvolutionOfRoundedOperands() {
        int checked = 0;
        List<String> stayedFloat = new ArrayList<>();
        double worstVsFloat = 0;
        int[][] channelPairs = {{3, 8}, {16, 5}, {32, 32}};
        int geometry = 0;
        for (Geometry g : Conv2dBackwardTest.geometries()) {
            if (Conv2dBackwardTest.negativeSamePadding(g)) {
                continue; // declined in any precision: libnd4j's own op runs those
            }
            // One channel pair per geometry, in turn: every geometry and every pair is covered in a third of the time
            // of all pairs on all geometries (426 cases took 9 minutes on a loaded CI machine).
            for (int[] channels : new int[][] {channelPairs[geometry++ % channelPairs.length]}) {
                boolean withBias = checked % 2 == 0;
                INDArray w = GradientCheck.uniform(DataType.FLOAT, 3, channels[1], channels[0], g.k(), g.k()).subi(0.5);
                INDArray b = withBias ? GradientCheck.uniform(DataType.FLOAT, 4, channels[1]).subi(0.5) : null;
                INDArray x = GradientCheck.uniform(DataType.FLOAT, 5, 2, channels[0], g.h(), g.w()).subi(0.5);
                int[] stride = {g.s(), g.s()}, padding = {g.p(), g.p()}, dilation = {1, 1};
                DnnlConvolution direct = new DnnlConvolution(w, b, stride, padding, dilation, g.same());
                direct.precision(Precision.BF16);
                INDArray y = direct.forward(x);
                assertNotNull(y, g + " declined");
                String what = g + " " + channels[0] + "->" + channels[1];
                if (direct.lastPrecision() != Precision.BF16) {
                    stayedFloat.add(what); // oneDNN has only reference code for it in bf16
                    continue;
                }
                INDArray wr = bf16(w), xr = bf16(x);
                assertWithin(FLOAT_TOLERANCE, DnnlConvolutionTest.libnd4jConvolution(xr, wr, b, g), y, what + " forward");
                INDArray unrounded = DnnlConvolutionTest.libnd4jConvolution(x, w, b, g);
                worstVsFloat = Math.max(worstVsFloat, assertWithin(BF16_TOLERANCE, unrounded, y, what + " forward vs float"));

                INDArray gradOut = GradientCheck.uniform(DataType.FLOAT, 7, y.shape()).subi(0.5);
                INDArray gradIn = direct.backward(gradOut);
                assertWithin(FLOAT_TOLERANCE, inputGradient(x, wr, b, bf16(gradOut), g), gradIn, what + " backward");
                assertWithin(BF16_TOLERANCE, inputGradient(x, w, b, gradOut, g), gradIn, what + " backward vs float");
                checked++;
            }
        }
        System.out.printf("bf16 convolutions: %d cases, worst forward difference from float %.2e of the largest output;"
                + " stayed float (oneDNN's reference code only): %s%n", checked, worstVsFloat, stayedFloat);
        assertTrue(checked > 70, "only " + checked + " cases ran in bf16; in float: " + stayedFloat);
        assertTrue(worstVsFloat > 1e-4, "bf16 gave float's answers (" + worstVsFloat + "): did it round at all?");
    }

    /** Back to float: the same primitives as before bf16 was asked for, exactly libnd4j's float answers again. */
    @Test
    void fp32AgainAfterBf16GivesFloatAnswers() {
        Geometry g = new Geometry(3, 1, 1, false, 0, 0);
        INDArray w = GradientCheck.uniform(DataType.FLOAT, 3, 32, 16, 3, 3).subi(0.5);
        INDArray x = GradientCheck.uniform(DataType.FLOAT, 5, 1, 16, 12, 12).subi(0.5);
        DnnlConvolution direct = new DnnlConvolution(w, null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, false);
        direct.precision(Precision.BF16);
        assertWithin(BF16_TOLERANCE, DnnlConvolutionTest.libnd4jConvolution(x, w, null, g), direct.forward(x), "bf16");
        assertEquals(Precision.BF16, direct.lastPrecision());
        direct.precision(Precision.FP32);
        assertWithin(FLOAT_TOLERANCE, DnnlConvolutionTest.libnd4jConvolution(x, w, null, g), direct.forward(x), "fp32 again");
        assertEquals(Precision.FP32, direct.lastPrecision());
    }

    /** Round to nearest even to 8 significant bits, as oneDNN's conversion (and AVX512_BF16's VCVTNEPS2BF16) does. */
    static INDArray bf16(INDArray a) {
        float[] v = a.dup('c').data().asFloat();
        for (int i = 0; i < v.length; i++) {
            int bits = Float.floatToRawIntBits(v[i]);
            bits += 0x7FFF + ((bits >>> 16) & 1);
            v[i] = Float.intBitsToFloat(bits & 0xFFFF0000);
        }
        return Nd4j.create(v, a.shape(), 'c');
    }

    private static INDArray inputGradient(INDArray x, INDArray w, INDArray b, INDArray gradOut, Geometry g) {
        Conv2d reference = new Conv2d(w, b, new int[] {g.s(), g.s()}, new int[] {g.p(), g.p()}, new int[] {1, 1}, g.same());
        reference.forward(x);
        return reference.convolutionBackprop(gradOut);
    }

    /** Asserts the largest difference is within {@code tolerance} of the largest expected value; returns that ratio. */
    private static double assertWithin(double tolerance, INDArray expected, INDArray actual, String what) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what);
        double err = expected.sub(actual).amaxNumber().doubleValue() / expected.amaxNumber().doubleValue();
        assertTrue(err < tolerance, what + ": differs by " + err + " of the largest value, tolerance " + tolerance);
        return err;
    }
}
