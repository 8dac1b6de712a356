package featviz.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import featviz.KnownAnswerNets;
import featviz.model.ImageNetwork;
import featviz.model.VisionModel;
import featviz.objective.ChannelObjective;
import featviz.objective.DeepDreamObjective;
import featviz.objective.Objective;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** DeepDream's algorithm on hand-set networks: the right colour, tiles that change nothing, seeded rolls. */
class DeepDreamTest {
    static final int H = 24;
    static final int W = 40;

    static DeepDream dream(VisionModel model, String layer, Long channel, int tile, long seed, int steps) {
        String vertex = model.resolve(layer);
        ImageNetwork net = model.network(List.of(vertex), DataType.FLOAT, H, W);
        Objective o = channel == null ? new DeepDreamObjective(vertex, layer) : new ChannelObjective(vertex, layer, channel);
        return new DeepDream(net, o, new DeepDream.Settings(-2, 2, 1.3, steps, 0.01, tile, seed));
    }

    static double channelMean(INDArray img, int c) {
        return img.get(NDArrayIndex.point(0), NDArrayIndex.point(c)).meanNumber().doubleValue();
    }

    static INDArray noise(long seed) {
        return GradientCheck.uniform(DataType.FLOAT, seed, 1, 3, H, W);
    }

    @Test
    void dreamingTheRedChannelMakesAGreyPhotoRedderAtItsOwnSize() {
        VisionModel model = KnownAnswerNets.model(KnownAnswerNets.colourNet(), "colour-net");
        INDArray grey = Nd4j.valueArrayOf(new long[] {1, 3, H, W}, 0.5f);
        INDArray out = dream(model, "colour", 0L, 512, 0, 4).run(grey, DeepDream.OctaveListener.NONE);
        assertArrayEquals(new long[] {1, 3, H, W}, out.shape());
        double before = channelMean(grey, 0) - channelMean(grey, 1);
        double after = channelMean(out, 0) - channelMean(out, 1);
        // 20 steps of 0.01 * g/std(g), g = (1, -0.5, -0.5) per pixel: R - G grows by 20 * 0.01 * 3/sqrt(2) = 0.42
        assertTrue(after - before > 0.3, "R - G went from " + before + " to " + after);
        assertEquals(0.5, grey.getDouble(0, 0, 0, 0), 0, "the photo itself must not change");
    }

    @Test
    void octaveSizesFollowTheTutorial() {
        List<int[]> sizes = DeepDream.octaveSizes(100, 200, new DeepDream.Settings(-2, 2, 1.3, 1, 0.01, 512, 0));
        assertEquals(5, sizes.size());
        assertArrayEquals(new int[] {59, 118}, sizes.get(0));
        assertArrayEquals(new int[] {100, 200}, sizes.get(2));
        assertArrayEquals(new int[] {169, 338}, sizes.get(4));
        assertArrayEquals(new int[] {0, 250, 500, 750, 1000}, DeepDream.tileBounds(1000, 256));
        assertArrayEquals(new int[] {0, 40}, DeepDream.tileBounds(40, 512));
    }

    @Test
    void withoutBorderEffectsTiledGradientsEqualTheUntiledOne() {
        // A 1x1 convolution sees one position at a time, so cutting the image into tiles may not change the
        // gradient of the (area-weighted) objective, nor may rolling it; deepdream's square makes it non-linear.
        VisionModel model = KnownAnswerNets.model(KnownAnswerNets.colourNet(), "colour-net");
        INDArray image = noise(3);
        DeepDream.Gradient whole = dream(model, "colour", null, 512, 0, 1).gradient(image, 0, 0);
        DeepDream.Gradient tiled = dream(model, "colour", null, 16, 0, 1).gradient(image, 5, 7);
        DeepDream.Gradient tiny = dream(model, "colour", null, 8, 0, 1).gradient(image, 23, 39);
        assertTrue(whole.gradient().amaxNumber().doubleValue() > 1e-4, "a zero gradient proves nothing");
        for (DeepDream.Gradient g : List.of(tiled, tiny)) {
            assertArrayEquals(new long[] {1, 3, H, W}, g.gradient().shape());
            double diff = g.gradient().sub(whole.gradient()).amaxNumber().doubleValue();
            assertTrue(diff <= 1e-6, "tiled gradient differs by " + diff);
            assertEquals(whole.objective(), g.objective(), 1e-6);
        }
    }

    @Test
    void theRandomRollIsSeeded() {
        // A 3x3 convolution with zero padding sees the tile seams, so where the roll puts them shows.
        VisionModel model = KnownAnswerNets.model(KnownAnswerNets.edgeNet(), "edge-net");
        INDArray photo = noise(5).muli(0.5).addi(0.25);
        INDArray a = dream(model, "edges", null, 16, 1, 2).run(photo, DeepDream.OctaveListener.NONE);
        INDArray b = dream(model, "edges", null, 16, 1, 2).run(photo, DeepDream.OctaveListener.NONE);
        INDArray c = dream(model, "edges", null, 16, 2, 2).run(photo, DeepDream.OctaveListener.NONE);
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertTrue(a.sub(photo).amaxNumber().doubleValue() > 0.01, "the dream did nothing");
    }

    @Test
    void rollMovesElementsDownAndRight() {
        INDArray x = Nd4j.arange(12).castTo(DataType.FLOAT).reshape(1, 1, 3, 4);
        INDArray rolled = DeepDream.roll(DeepDream.roll(x, 2, 1), 3, -1);
        assertEquals(x.getDouble(0, 0, 0, 1), rolled.getDouble(0, 0, 1, 0), 0);
        assertEquals(x.getDouble(0, 0, 2, 0), rolled.getDouble(0, 0, 0, 3), 0);
        assertEquals(x, DeepDream.roll(DeepDream.roll(rolled, 3, 5), 2, -4));
    }
}
