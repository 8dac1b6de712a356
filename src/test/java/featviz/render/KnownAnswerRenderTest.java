package featviz.render;

import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.KnownAnswerNets;
import featviz.model.ImageNetwork;
import featviz.model.VisionModel;
import featviz.objective.ChannelObjective;
import featviz.optim.Adam;
import featviz.optim.NormalizedAscent;
import featviz.optim.Optimizer;
import featviz.param.PixelParam;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Maximising a unit whose preference is known must paint that preference. */
class KnownAnswerRenderTest {

    static INDArray noise(long seed) {
        return featviz.GradientCheck.uniform(DataType.FLOAT, seed, 1, 3, 32, 32).muli(0.2).addi(0.4);
    }

    static INDArray render(VisionModel model, String layer, int index, Optimizer optimizer, int steps, long seed) {
        String vertex = model.resolve(layer);
        ImageNetwork net = model.network(List.of(vertex), DataType.FLOAT, 32, 32);
        Renderer r = new Renderer(net, new ChannelObjective(vertex, layer, index), new PixelParam(noise(seed)), optimizer);
        RenderResult result = r.run(steps, RenderListener.NONE);
        assertTrue(result.lastObjective()[0] > result.firstObjective()[0], "objective did not rise");
        return result.image();
    }

    static double channelMean(INDArray img, int c) {
        return img.get(NDArrayIndex.point(0), NDArrayIndex.point(c)).meanNumber().doubleValue();
    }

    @Test
    void aRedChannelTurnsTheImageRedAndAGreenOneGreen() {
        VisionModel model = KnownAnswerNets.model(KnownAnswerNets.colourNet(), "colour-net");
        INDArray red = render(model, "colour", 0, new NormalizedAscent(0.05), 40, 1);
        assertTrue(channelMean(red, 0) > 0.95 && channelMean(red, 1) < 0.05 && channelMean(red, 2) < 0.05,
                "not red: " + channelMean(red, 0) + " " + channelMean(red, 1) + " " + channelMean(red, 2));
        INDArray green = render(model, "colour", 1, new Adam(0.05), 40, 2);
        assertTrue(channelMean(green, 1) > 0.95 && channelMean(green, 0) < 0.05 && channelMean(green, 2) < 0.05,
                "not green: " + channelMean(green, 0) + " " + channelMean(green, 1) + " " + channelMean(green, 2));
    }

    /** Mean absolute difference between horizontal neighbours (dx) and between vertical neighbours (dy). */
    static double[] directionalVariation(INDArray img) {
        INDArray grey = img.get(NDArrayIndex.point(0)).mean(0); // [H, W]
        long h = grey.size(0), w = grey.size(1);
        INDArray dx = grey.get(NDArrayIndex.all(), NDArrayIndex.interval(1, w))
                .sub(grey.get(NDArrayIndex.all(), NDArrayIndex.interval(0, w - 1)));
        INDArray dy = grey.get(NDArrayIndex.interval(1, h), NDArrayIndex.all())
                .sub(grey.get(NDArrayIndex.interval(0, h - 1), NDArrayIndex.all()));
        return new double[] {Nd4j.math().abs(dx).meanNumber().doubleValue(), Nd4j.math().abs(dy).meanNumber().doubleValue()};
    }

    @Test
    void aVerticalEdgeChannelPaintsVerticalStripesAndAHorizontalOneHorizontal() {
        VisionModel model = KnownAnswerNets.model(KnownAnswerNets.edgeNet(), "edge-net");
        double[] vertical = directionalVariation(render(model, "edges", 0, new Adam(0.05), 60, 3));
        assertTrue(vertical[0] > 4 * vertical[1], "not vertical stripes: dx " + vertical[0] + " dy " + vertical[1]);
        double[] horizontal = directionalVariation(render(model, "edges", 1, new Adam(0.05), 60, 3));
        assertTrue(horizontal[1] > 4 * horizontal[0], "not horizontal stripes: dx " + horizontal[0] + " dy " + horizontal[1]);
    }
}
