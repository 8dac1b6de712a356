package featviz.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.KnownAnswerNets;
import featviz.model.ImageNetwork;
import featviz.model.VisionModel;
import featviz.objective.ChannelObjective;
import featviz.optim.Adam;
import featviz.param.FourierParam;
import featviz.param.ImageParam;
import featviz.param.PixelParam;
import featviz.transform.StandardTransforms;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Grey and 4-channel networks render what their units detect, through every parameterization and transform. */
class ChannelCountRenderTest {
    static final int SIZE = 24;

    /** {mean inside the centre disc, mean outside it} of the first image's only channel. */
    static double[] centreAndSurround(INDArray image) {
        double inside = 0;
        double outside = 0;
        int in = 0;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double v = image.getDouble(0, 0, y, x);
                if (KnownAnswerNets.isCentre(y, x, SIZE)) {
                    inside += v;
                    in++;
                } else {
                    outside += v;
                }
            }
        }
        return new double[] {inside / in, outside / (SIZE * SIZE - in)};
    }

    static INDArray render(ImageParam param, boolean transforms) {
        VisionModel model = KnownAnswerNets.model(KnownAnswerNets.centreNet(SIZE), "centre-net", 1, SIZE);
        ImageNetwork net = model.network(List.of("centre"), DataType.FLOAT, SIZE, SIZE);
        // with Lucid's transforms the network sees a padded, moved image: a resize keeps it at its one size
        List<featviz.transform.Transform> chain = transforms
                ? new java.util.ArrayList<>(StandardTransforms.lucid()) : new java.util.ArrayList<>();
        if (transforms) {
            chain.add(new featviz.transform.ResizeTo(SIZE, SIZE));
        }
        RenderResult r = new Renderer(net, new ChannelObjective("centre", "centre", 0), param, new Adam(0.05), chain, 1)
                .run(120, RenderListener.NONE);
        assertTrue(r.lastObjective()[0] > r.firstObjective()[0], "objective did not rise");
        assertArrayEquals(new long[] {1, 1, SIZE, SIZE}, r.image().shape());
        return r.image();
    }

    @Test
    void aBrightCentreDetectorRendersABrightCentreInEveryParameterization() {
        double[] fourier = centreAndSurround(render(new FourierParam(new long[] {1}, 1, SIZE, SIZE, false), false));
        assertTrue(fourier[0] > 0.8 && fourier[1] < 0.2, "fourier: centre " + fourier[0] + " surround " + fourier[1]);
        INDArray grey = Nd4j.valueArrayOf(new long[] {1, 1, SIZE, SIZE}, 0.5f);
        double[] pixel = centreAndSurround(render(new PixelParam(grey), false));
        assertTrue(pixel[0] > 0.8 && pixel[1] < 0.2, "pixel: centre " + pixel[0] + " surround " + pixel[1]);
        double[] lucid = centreAndSurround(render(new FourierParam(new long[] {2}, 1, SIZE, SIZE, false), true));
        assertTrue(lucid[0] > lucid[1] + 0.4, "with transforms: centre " + lucid[0] + " surround " + lucid[1]);
    }

    @Test
    void aFourChannelUnitPaintsItsOwnChannel() {
        for (int k : new int[] {0, 3}) {
            // unit 3 is the last filter: its channel restriction once failed on LoadedWeights' offset views
            VisionModel model = KnownAnswerNets.model(KnownAnswerNets.fourChannelNet(), "four-net", 4, 16);
            ImageNetwork net = model.network(List.of("mix"), DataType.FLOAT, 16, 16);
            INDArray image = new Renderer(net, new ChannelObjective("mix", "mix", k),
                    new FourierParam(new long[] {k}, 4, 16, 16, false), new Adam(0.05), StandardTransforms.lucid(), 3)
                    .run(120, RenderListener.NONE).image();
            for (int c = 0; c < 4; c++) {
                double mean = image.get(NDArrayIndex.point(0), NDArrayIndex.point(c)).meanNumber().doubleValue();
                assertTrue(c == k ? mean > 0.75 : mean < 0.25, "unit " + k + ", channel " + c + ": mean " + mean);
            }
        }
    }

    @Test
    void deepDreamOnAFourChannelPhotoAmplifiesItsUnitsChannel() {
        VisionModel model = KnownAnswerNets.model(KnownAnswerNets.fourChannelNet(), "four-net", 4, 16);
        ImageNetwork net = model.network(List.of("mix"), DataType.FLOAT, 20, 20);
        INDArray photo = Nd4j.valueArrayOf(new long[] {1, 4, 20, 20}, 0.5f);
        DeepDream.Settings settings = new DeepDream.Settings(0, 0, 1.3, 40, 0.02, 512, 0);
        INDArray dream = new DeepDream(net, new ChannelObjective("mix", "mix", 3), settings)
                .run(photo, DeepDream.OctaveListener.NONE);
        assertArrayEquals(new long[] {1, 4, 20, 20}, dream.shape());
        for (int c = 0; c < 4; c++) {
            double mean = dream.get(NDArrayIndex.point(0), NDArrayIndex.point(c)).meanNumber().doubleValue();
            assertTrue(c == 3 ? mean > 0.9 : mean < 0.1, "channel " + c + ": mean " + mean);
        }
    }
}
