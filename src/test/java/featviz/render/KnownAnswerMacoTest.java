package featviz.render;

import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.KnownAnswerNets;
import featviz.model.ImageNetwork;
import featviz.model.VisionModel;
import featviz.objective.ChannelObjective;
import featviz.optim.NAdam;
import featviz.param.MacoParam;
import featviz.param.Spectrum;
import featviz.transform.StandardTransforms;
import featviz.transform.Transform;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The known-answer units of {@link KnownAnswerRenderTest}, rendered with MACO: a phase-only image with ImageNet's
 * magnitude, NAdam, and MACO's crops and noise. Its magnitude is fixed and its values standardised, so it cannot
 * reach a saturated colour or pure stripes; the preference must still win by a clear margin.
 */
class KnownAnswerMacoTest {

    static INDArray render(VisionModel model, String layer, int index, int steps, boolean transforms, int size) {
        String vertex = model.resolve(layer);
        ImageNetwork net = model.network(List.of(vertex), DataType.FLOAT, 32, 32);
        MacoParam param = new MacoParam(new long[] {index + 1}, Spectrum.imagenet(), size, size, true, DataType.FLOAT);
        List<Transform> chain = transforms ? StandardTransforms.maco(32 / 224.0) : List.of();
        Renderer r = new Renderer(net, new ChannelObjective(vertex, layer, index), param, new NAdam(1.0), chain, 5);
        RenderResult result = r.run(steps, RenderListener.NONE);
        assertTrue(result.lastObjective()[0] > result.firstObjective()[0], "objective did not rise");
        return result.image();
    }

    /**
     * The colour of a MACO image moves only through each decorrelated channel's mean (the DC bin, m cos p), a
     * small share of the fixed energy, so no render turns saturated red: the question asked is relative. Each
     * colour unit's render must be the one of the three renders where its colour leads the other two most.
     */
    @Test
    void eachColourUnitsRenderIsTheMostOfItsColour() {
        VisionModel model = KnownAnswerNets.model(KnownAnswerNets.colourNet(), "colour-net");
        double[][] lead = new double[3][3]; // [render of unit u][colour c]: mean of c minus the mean of the others
        for (int u = 0; u < 3; u++) {
            INDArray img = render(model, "colour", u, 40, true, 64);
            double[] mean = new double[3];
            for (int c = 0; c < 3; c++) {
                mean[c] = KnownAnswerRenderTest.channelMean(img, c);
            }
            for (int c = 0; c < 3; c++) {
                lead[u][c] = mean[c] - (mean[0] + mean[1] + mean[2] - mean[c]) / 2;
            }
        }
        for (int c = 0; c < 3; c++) {
            for (int u = 0; u < 3; u++) {
                if (u != c) {
                    assertTrue(lead[c][c] > lead[u][c] + 0.02, "colour " + c + " leads by " + lead[c][c]
                            + " in its unit's render, by " + lead[u][c] + " in unit " + u + "'s");
                }
            }
        }
    }

    /**
     * A bright-centre detector: the phase decides where the energy sits, so the centre disc must come out brighter
     * than the rest. (An edge direction is not a fair question: the magnitude, fixed and about isotropic, sets
     * how much of the image varies along x and along y.)
     */
    @Test
    void aBrightCentreDetectorGetsABrightCentre() {
        int size = 32;
        VisionModel model = KnownAnswerNets.model(KnownAnswerNets.centreNet(size), "centre-net", 1, size);
        String vertex = model.resolve("centre");
        ImageNetwork net = model.network(List.of(vertex), DataType.FLOAT, size, size);
        MacoParam param = new MacoParam(new long[] {3}, Spectrum.imagenet().channel(0), size, size, false, DataType.FLOAT);
        Renderer r = new Renderer(net, new ChannelObjective(vertex, "centre", 0), param, new NAdam(1.0), List.of(), 5);
        RenderResult result = r.run(40, RenderListener.NONE);
        assertTrue(result.lastObjective()[0] > result.firstObjective()[0], "objective did not rise");
        double inside = 0;
        double outside = 0;
        int n = 0;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double v = result.image().getDouble(0, 0, y, x);
                if (KnownAnswerNets.isCentre(y, x, size)) {
                    inside += v;
                    n++;
                } else {
                    outside += v;
                }
            }
        }
        inside /= n;
        outside /= size * size - n;
        assertTrue(inside > outside + 0.2, "centre " + inside + ", outside " + outside);
    }
}
