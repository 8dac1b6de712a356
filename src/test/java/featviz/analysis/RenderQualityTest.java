package featviz.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.KnownAnswerNets;
import featviz.UsageException;
import featviz.io.ImageFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Quality scores on the colour network, whose channel k is colour k minus half of each other colour at every
 * pixel, so every activation below is worked out by hand. Real images (8-bit PNGs, values k/255 exactly):
 * A (0.6, 0, 0), B (0.4, 0.2, 0.2), C (0, 1, 0), D (0, 0, 0.6), and a text file that is skipped. Their
 * colour vectors (channel means): A (0.6, -0.3, -0.3), B (0.2, -0.1, -0.1), C (-0.5, 1, -0.5), D (-0.3, -0.3, 0.6).
 */
class RenderQualityTest {
    @TempDir
    Path dir;

    private List<Path> writeRealImages() throws Exception {
        double[][] colours = {{0.6, 0, 0}, {0.4, 0.2, 0.2}, {0, 1, 0}, {0, 0, 0.6}};
        String[] names = {"a.png", "b.png", "c.png", "d.png"};
        for (int i = 0; i < colours.length; i++) {
            ImageIO.write(ImageFiles.toImage(AnalysisKnownAnswerTest.solid(8, colours[i])), "png", dir.resolve(names[i]).toFile());
        }
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        return ImageDirectory.files(dir);
    }

    @Test
    void superstimulusAndPlausibilityAreTheHandComputedOnes() throws Exception {
        List<Path> files = writeRealImages();
        LayerActivations colour = new LayerActivations(KnownAnswerNets.model(AnalysisKnownAnswerTest.COLOUR, "colour-net"), "colour", 8);
        List<String> warnings = new ArrayList<>();
        ImageLoader loader = new ImageLoader(8, 8, 3, false, warnings::add);
        // units: channels 0 and 2; top 2; batches of 3 so the best images straddle two batches
        RenderQuality q = RenderQuality.measure(RenderQuality.channels(colour, List.of(0L, 2L)), 2, colour, 2, files,
                loader, 3, n -> { });
        assertEquals(4, q.images());
        assertEquals(2, q.top());
        assertEquals(1, warnings.size(), warnings.toString());
        assertEquals(0.6, q.bestReal(0), 1e-6); // A
        assertEquals(0.6, q.bestReal(1), 1e-6); // D

        // The render (1, 0, 0.2): colour vector (0.9, -0.6, -0.3).
        INDArray render = AnalysisKnownAnswerTest.solid(8, new double[] {1, 0, 0.2});
        RenderQuality.Score red = q.score(render, 0);
        assertEquals(0.9, red.activation(), 1e-6);
        assertEquals(0.9 / 0.6, red.superstimulus(), 1e-5);
        // channel 0's top 2 are A and B: mean (0.4, -0.2, -0.2); cos = 2.7 / sqrt(1.26 * 6) (both scaled by 5)
        assertEquals(2.7 / Math.sqrt(1.26 * 6), red.plausibility(), 1e-6);

        // channel 2's top 2 are D (0.6) and B (-0.1): mean (-0.05, -0.2, 0.25), orthogonal to the render's vector
        RenderQuality.Score blue = q.score(render, new int[] {1}, new int[] {1})[0];
        assertEquals(-0.3, blue.activation(), 1e-6);
        assertEquals(-0.5, blue.superstimulus(), 1e-5);
        assertEquals(0, blue.plausibility(), 1e-6);
    }

    @Test
    void aRatioOverNoPositiveRealValueIsNotANumberAndZeroVectorsAreNotSimilar() {
        assertTrue(Double.isNaN(RenderQuality.superstimulus(2, 0)));
        assertTrue(Double.isNaN(RenderQuality.superstimulus(2, -1)));
        assertEquals(2.5, RenderQuality.superstimulus(5, 2), 1e-12);
        assertEquals(0, RenderQuality.plausibility(new double[] {0, 0}, new double[] {1, 2}), 1e-12);
        assertEquals(-1, RenderQuality.plausibility(new double[] {1, 2}, new double[] {-2, -4}), 1e-12);
    }

    @Test
    void aDirectoryWithoutReadableImagesIsOneUsageError() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        LayerActivations colour = new LayerActivations(KnownAnswerNets.model(AnalysisKnownAnswerTest.COLOUR, "colour-net"), "colour", 8);
        UsageException e = assertThrows(UsageException.class, () -> RenderQuality.measure(
                RenderQuality.channels(colour, List.of(0L)), 1, colour, 1, ImageDirectory.files(dir),
                new ImageLoader(8, 8, 3, false, line -> { }), 4, n -> { }));
        assertTrue(e.getMessage().startsWith("no readable images"), e.getMessage());
    }
}
