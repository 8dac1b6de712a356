package featviz.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.KnownAnswerNets;
import featviz.UsageException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The analysis on networks and vectors whose answers are known by hand: the colour network's channel k is
 * colour k minus half of each other colour, at every pixel.
 */
class AnalysisKnownAnswerTest {
    static final MultiLayerNetwork COLOUR = KnownAnswerNets.colourNet();

    /** A batch of solid-colour images [n, 3, size, size]. */
    static INDArray solid(int size, double[]... rgb) {
        INDArray x = Nd4j.create(DataType.FLOAT, rgb.length, 3, size, size);
        for (int i = 0; i < rgb.length; i++) {
            for (int c = 0; c < 3; c++) {
                x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i), org.nd4j.linalg.indexing.NDArrayIndex.point(c))
                        .assign(rgb[i][c]);
            }
        }
        return x;
    }

    @Test
    void meansAreTheHandComputedColourResponsesAndDl4jsForwardPass() {
        LayerActivations acts = new LayerActivations(KnownAnswerNets.model(COLOUR, "colour-net"), "colour", 8);
        INDArray images = solid(8, new double[] {1, 0, 0}, new double[] {0.2, 0.6, 1.0});
        images.putScalar(new long[] {0, 1, 3, 3}, 1.0); // one green pixel: channel 1 mean of image 0 is 1/64
        double[][] means = acts.means(images).toDoubleMatrix();
        assertArrayEquals(new double[] {1 - 0.5 / 64, -0.5 + 1.0 / 64, -0.5 - 0.5 / 64}, means[0], 1e-6);
        assertArrayEquals(new double[] {0.2 - 0.8, 0.6 - 0.6, 1.0 - 0.4}, means[1], 1e-6);
        INDArray dl4j = COLOUR.output(images).mean(2, 3);
        assertArrayEquals(dl4j.toDoubleMatrix()[0], means[0], 1e-6);
        assertArrayEquals(dl4j.toDoubleMatrix()[1], means[1], 1e-6);
        assertTrue(acts.spatial());
        assertEquals(3, acts.channels());
    }

    @Test
    void distancesWithinBetweenAndFromProbes() {
        Distances.Group a = new Distances.Group("a", Nd4j.create(new double[][] {{0, 0}, {3, 4}}));
        Distances.Group b = new Distances.Group("b", Nd4j.create(new double[][] {{6, 8}}));
        Distances.Row within = Distances.within(a);
        assertEquals(1, within.pairs());
        assertEquals(5, within.meanL2(), 1e-9);
        assertEquals(1, within.meanCosine(), 1e-9); // a zero vector is orthogonal to everything
        Distances.Row between = Distances.between("between", a, b);
        assertEquals(2, between.pairs());
        assertEquals((10 + 5) / 2.0, between.meanL2(), 1e-9);
        assertEquals((1 + 0) / 2.0, between.meanCosine(), 1e-9);
        assertTrue(Double.isNaN(Distances.within(b).meanL2()));
        List<Distances.Row> rows = Distances.summary(List.of(a, b), List.of(new Distances.Group("p", Nd4j.create(new double[][] {{0, 1}}))));
        assertEquals(List.of("within", "within", "between", "probe", "probe"), rows.stream().map(Distances.Row::kind).toList());
        Distances.Row probeToA = rows.get(3);
        assertEquals((1 + Math.sqrt(9 + 9)) / 2, probeToA.meanL2(), 1e-9);
        assertEquals((1 + (1 - 4 / 5.0)) / 2, probeToA.meanCosine(), 1e-9);
    }

    @Test
    void blockedDistancesEqualDirectOnesOverMoreThanOneBlock() {
        org.nd4j.linalg.api.rng.Random rng = Nd4j.getRandomFactory().getNewRandomInstance(7);
        INDArray x = Nd4j.rand(rng, 600, 5).castTo(DataType.DOUBLE);
        INDArray y = Nd4j.rand(rng, 40, 5).castTo(DataType.DOUBLE).addi(0.5);
        double[][] xs = x.toDoubleMatrix();
        double[][] ys = y.toDoubleMatrix();
        double l2 = 0;
        double cos = 0;
        for (double[] p : xs) {
            for (double[] q : ys) {
                l2 += Distances.l2(p, q);
                cos += Distances.cosine(p, q);
            }
        }
        Distances.Row r = Distances.between("between", new Distances.Group("x", x), new Distances.Group("y", y));
        assertEquals(l2 / (600 * 40), r.meanL2(), 1e-9);
        assertEquals(cos / (600 * 40), r.meanCosine(), 1e-9);
        double within = 0;
        for (int i = 0; i < 600; i++) {
            for (int j = 0; j < 600; j++) {
                if (i != j) {
                    within += Distances.l2(xs[i], xs[j]);
                }
            }
        }
        assertEquals(within / (600 * 599), Distances.within(new Distances.Group("x", x)).meanL2(), 1e-9);
    }

    /** Three tight, far-apart clusters of 15 points in 10-D. */
    static INDArray clusters(int[] labels) {
        org.nd4j.linalg.api.rng.Random rng = Nd4j.getRandomFactory().getNewRandomInstance(3);
        INDArray x = Nd4j.randn(rng, new long[] {45, 10}).castTo(DataType.DOUBLE).muli(0.3);
        for (int i = 0; i < 45; i++) {
            labels[i] = i / 15;
            x.putScalar(i, labels[i], x.getDouble(i, labels[i]) + 10);
        }
        return x;
    }

    @Test
    void tsneSeparatesClustersAndIsDeterministic() {
        int[] labels = new int[45];
        INDArray x = clusters(labels);
        Tsne tsne = new Tsne(5, 500, 42);
        double[][] map = tsne.fit(x, i -> { });
        assertEquals(1.0, Neighbours.accuracy(map, labels, 5), 1e-12);
        double[][] again = new Tsne(5, 500, 42).fit(x.dup(), i -> { });
        for (int i = 0; i < map.length; i++) {
            assertArrayEquals(map[i], again[i], 0.0, "same input, same seed: the same map");
        }
        double[][] other = new Tsne(5, 500, 43).fit(x, i -> { });
        assertTrue(Math.abs(other[0][0] - map[0][0]) > 1e-6, "another seed starts elsewhere");
    }

    @Test
    void tooLargeAPerplexityIsAUsageError() {
        UsageException e = assertThrows(UsageException.class, () -> new Tsne(30, 10, 0).check(45));
        assertTrue(e.getMessage().contains("perplexity 30 is too large for 45 points"), e.getMessage());
        assertTrue(e.getMessage().contains("--perplexity 14.6 or less"), e.getMessage());
        new Tsne(14.6, 10, 0).check(45);
    }

    @Test
    void neighbourAccuracyByHand() {
        double[][] pts = {{0, 0}, {0, 1}, {0, 2}, {10, 0}, {10, 1}, {0, 5}};
        int[] labels = {0, 0, 0, 1, 1, 1}; // the last sits among the 0s: wrong, and makes no other wrong at k=1
        assertEquals(5 / 6.0, Neighbours.accuracy(pts, labels, 1), 1e-12);
    }

    @Test
    void subsampleKeepsEachGroupsShareInOrder() {
        List<Integer> all = Subsample.indices(new int[] {3, 2}, 10, 0);
        assertEquals(List.of(0, 1, 2, 3, 4), all);
        List<Integer> some = Subsample.indices(new int[] {100, 50}, 30, 1);
        assertEquals(30, some.size());
        assertEquals(20, some.stream().filter(i -> i < 100).count());
        assertEquals(some.stream().sorted().toList(), some);
        assertEquals(some, Subsample.indices(new int[] {100, 50}, 30, 1));
    }

    /** Dark images with one red 2x2 square each, of brightness v at (row, col). */
    static INDArray redSquare(int size, double v, int row, int col) {
        INDArray x = Nd4j.zeros(DataType.FLOAT, 1, 3, size, size);
        for (int dy = 0; dy < 2; dy++) {
            for (int dx = 0; dx < 2; dx++) {
                x.putScalar(new long[] {0, 0, row + dy, col + dx}, v);
            }
        }
        return x;
    }

    @Test
    void examplesAreTheStrongestImagesAtTheirStrongestPosition() {
        LayerActivations acts = new LayerActivations(KnownAnswerNets.model(COLOUR, "colour-net"), "colour", 8);
        double[] brightness = {0.3, 0.9, 0.1, 0.7, 0.5, 0.8};
        int[][] where = {{0, 0}, {5, 2}, {3, 3}, {1, 6}, {6, 6}, {2, 4}};
        DatasetExamples examples = new DatasetExamples(acts, List.of(0L, 2L), 3);
        for (int start = 0; start < 6; start += 4) { // batches of 4 and 2
            List<Path> files = new java.util.ArrayList<>();
            List<INDArray> batch = new java.util.ArrayList<>();
            for (int i = start; i < Math.min(6, start + 4); i++) {
                files.add(Path.of("img" + i + ".png"));
                batch.add(redSquare(8, brightness[i], where[i][0], where[i][1]));
            }
            examples.add(files, Nd4j.concat(0, batch.toArray(INDArray[]::new)));
        }
        Map<Long, List<DatasetExamples.Example>> result = examples.result();
        List<DatasetExamples.Example> red = result.get(0L);
        assertEquals(List.of("img1.png", "img5.png", "img3.png"), red.stream().map(e -> e.file().toString()).toList());
        assertEquals(0.9, red.get(0).activation(), 1e-6);
        assertEquals(5, red.get(0).row());
        assertEquals(2, red.get(0).col());
        // Every image not chosen activates channel 0 at most as much as the weakest example.
        double weakest = red.get(2).activation();
        for (int i : new int[] {0, 2, 4}) {
            double max = COLOUR.output(redSquare(8, brightness[i], where[i][0], where[i][1])).get(
                    org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(0)).maxNumber().doubleValue();
            assertTrue(max <= weakest, "img" + i + " " + max + " > " + weakest);
        }
        // Channel 2 (blue): red costs it half the red; its best is 0 on the black background, first in file order.
        List<DatasetExamples.Example> blue = result.get(2L);
        assertEquals(0.0, blue.get(0).activation(), 1e-6);
        assertEquals("img0.png", blue.get(0).file().toString());
        // The crop is centred on the square's cell, kept inside the picture.
        INDArray crop = DatasetExamples.crop(redSquare(8, 0.9, 5, 2), red.get(0), 4);
        assertEquals(4, crop.size(2));
        assertEquals(0.9, crop.getDouble(0, 0, 2, 2), 1e-6); // rows 3-6, cols 1-4 hold (5, 2) at (2, 1) and (2, 2)
    }

    @Test
    void examplesNeedSpatialPositions() {
        MultiLayerNetwork dense = KnownAnswerNets.colourClassifier();
        LayerActivations acts = new LayerActivations(KnownAnswerNets.model(dense, "dense-net"), "scores", 4);
        assertEquals(false, acts.spatial());
        UsageException e = assertThrows(UsageException.class, () -> new DatasetExamples(acts, List.of(0L), 2));
        assertTrue(e.getMessage().contains("scores outputs 2 units"), e.getMessage());
    }

    @Test
    void predictorGivesDl4jsSoftmaxWithLabelsAndIndexes() {
        MultiLayerNetwork net = KnownAnswerNets.colourClassifier();
        var model = new featviz.model.VisionModel("dense-net", type -> featviz.model.GraphSpec.of(net.getLayerWiseConfigurations(), type),
                new featviz.model.LoadedWeights(net, "dense-net"), featviz.model.Preprocessing.UNIT, new int[] {3, 4, 4},
                Map.of(), "dense-net");
        Predictor p = new Predictor(model, new featviz.model.Labels(List.of("zero"), "test"), 4, 4);
        INDArray images = Nd4j.rand(Nd4j.getRandomFactory().getNewRandomInstance(1), 3, 3, 4, 4);
        double[][] probs = p.probabilities(images).toDoubleMatrix();
        double[][] dl4j = net.output(images).castTo(DataType.DOUBLE).toDoubleMatrix();
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(dl4j[i], probs[i], 1e-6);
        }
        assertEquals(false, p.softmaxApplied());
        List<Predictor.Prediction> top = p.predict(images, 5).get(0);
        assertEquals(2, top.size());
        assertTrue(top.get(0).probability() >= top.get(1).probability());
        int best = dl4j[0][0] >= dl4j[0][1] ? 0 : 1;
        assertEquals(best, top.get(0).index());
        assertEquals(best == 0 ? "zero" : "1", top.get(0).label());
        assertEquals(best, p.classes(images)[0]);
    }
}
