package featviz.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.KnownAnswerNets;
import featviz.model.ImageNetwork;
import featviz.model.VisionModel;
import featviz.objective.ChannelObjective;
import featviz.optim.Adam;
import featviz.param.FourierParam;
import featviz.param.ImageParam;
import featviz.param.PixelParam;
import featviz.transform.Transforms;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The transparency (|gradient| accumulated over the steps, as MACO returns it) of a unit that sees one region only
 * lies in that region: {@link KnownAnswerNets#cornerNet} looks at the top-left quarter of the image.
 */
class TransparencyTest {
    static final int SIZE = 32;

    static RenderResult render(ImageParam param, String transforms) {
        VisionModel model = KnownAnswerNets.model(KnownAnswerNets.cornerNet(SIZE), "corner-net", 3, SIZE);
        String vertex = model.resolve("corner");
        ImageNetwork net = model.network(List.of(vertex), DataType.FLOAT, SIZE, SIZE);
        return new Renderer(net, new ChannelObjective(vertex, "corner", 0), param, new Adam(0.05),
                Transforms.parse(transforms), 7).transparency(true).run(24, RenderListener.NONE);
    }

    /** Mean transparency inside the quarter the unit sees, and outside it. */
    static double[] insideOutside(INDArray map) {
        assertEquals(List.of(1L, 1L, (long) SIZE, (long) SIZE), List.of(map.size(0), map.size(1), map.size(2), map.size(3)));
        double inside = 0;
        double outside = 0;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double v = map.getDouble(0, 0, y, x);
                if (y < SIZE / 2 && x < SIZE / 2) {
                    inside += v;
                } else {
                    outside += v;
                }
            }
        }
        int n = SIZE * SIZE / 4;
        return new double[] {inside / n, outside / (3 * n)};
    }

    @Test
    void pixelsWithoutTransformsGetGradientInTheUnitsQuarterOnly() {
        INDArray start = featviz.GradientCheck.uniform(DataType.FLOAT, 3, 1, 3, SIZE, SIZE).muli(0.2).addi(0.4);
        RenderResult r = render(new PixelParam(start), "none");
        assertNotNull(r.transparency());
        double[] io = insideOutside(r.transparency());
        assertTrue(io[0] > 0, "no gradient where the unit looks: " + io[0]);
        assertEquals(0, io[1], 0, "gradient outside the unit's quarter");
        // every step's gradient is the unit's weight 1/(3*16*16) on each of 3 channels, summed over channels
        // while the pixels stay inside (0, 1): 24 steps at 1/256 each
        assertEquals(24.0 / 256, r.transparency().getDouble(0, 0, 3, 5), 1e-6);
    }

    @Test
    void aFourierRenderWithJitterConcentratesItsTransparencyInTheQuarter() {
        RenderResult r = render(new FourierParam(1, SIZE, SIZE, true, 5), "pad:2,jitter:4");
        double[] io = insideOutside(r.transparency());
        System.out.printf("transparency inside %.3g, outside %.3g, ratio %.1f%n", io[0], io[1], io[0] / io[1]);
        assertTrue(io[0] > 8 * io[1], "inside " + io[0] + " vs outside " + io[1]);
        INDArray opacity = Transparency.opacity(r.transparency(), 0);
        double[] alpha = insideOutside(opacity);
        assertTrue(alpha[0] > 0.9 && alpha[1] < 0.2, "opacity inside " + alpha[0] + ", outside " + alpha[1]);
    }

    @Test
    void opacityIsClippedAtThe80thPercentileAndScaledToOne() {
        double[] values = new double[100];
        for (int i = 0; i < 100; i++) {
            values[i] = i; // 0..99: the 80th percentile (numpy's linear) is 79.2
        }
        INDArray acc = Nd4j.create(values, new long[] {1, 1, 10, 10}, 'c');
        INDArray o = Transparency.opacity(acc, 0);
        assertEquals(0, o.getDouble(0, 0, 0, 0), 0);
        assertEquals(39 / 79.2, o.getDouble(0, 0, 3, 9), 1e-6);
        assertEquals(1, o.getDouble(0, 0, 9, 9), 0);
        assertEquals(1, o.getDouble(0, 0, 8, 0), 0);
        assertEquals(0, Transparency.opacity(Nd4j.zeros(DataType.DOUBLE, 1, 1, 4, 4), 0).sumNumber().doubleValue(), 0,
                "a unit that never got a gradient is fully transparent");
    }
}
