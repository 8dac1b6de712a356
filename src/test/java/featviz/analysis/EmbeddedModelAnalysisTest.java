package featviz.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.dataset.FashionMnist;
import featviz.dataset.LabeledImages;
import featviz.model.ModelLoader;
import featviz.model.VisionModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The analysis on the embedded Fashion-MNIST model and real test images: predictions are right, the
 * activation map separates the classes, and dataset examples are the strongest images there are.
 */
class EmbeddedModelAnalysisTest {
    static LabeledImages test;
    static VisionModel model;

    @BeforeAll
    static void load() {
        test = FashionMnist.locate().test();
        model = new ModelLoader(null).load("fashion-mnist", null, null, 0);
    }

    @Test
    void predictIsRightOnAtLeast90PercentOf1000TestImages() {
        Predictor predictor = new Predictor(model, model.labels(), 28, 28);
        int right = 0;
        for (int from = 0; from < 1000; from += 250) {
            int[] predicted = predictor.classes(test.batch(from, from + 250, DataType.FLOAT));
            for (int i = 0; i < predicted.length; i++) {
                right += predicted[i] == test.label(from + i) ? 1 : 0;
            }
        }
        System.out.println("predict: " + right + " of the first 1000 test images right");
        assertTrue(right >= 900, right + " of 1000");
        assertEquals("ankle_boot", predictor.predict(test.batch(0, 1, DataType.FLOAT), 1).get(0).get(0).label());
    }

    @Test
    void theTsneMapOfLastLayerActivationsSeparatesTheClasses() {
        int n = 600; // 60 per class on average: exact t-SNE is quadratic in the points
        INDArray means = new LayerActivations(model, "relu5", 28).means(test.batch(0, n, DataType.FLOAT));
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = test.label(i);
        }
        double[][] map = new Tsne(Tsne.DEFAULT_PERPLEXITY, 500, 0).fit(means, i -> { });
        double accuracy = Neighbours.accuracy(map, labels, 5);
        System.out.printf("t-SNE of relu5 means, 600 test images: 5-NN accuracy %.3f%n", accuracy);
        assertTrue(accuracy >= 0.7, "kNN accuracy " + accuracy);
    }

    @Test
    void eachChannelsExamplesActivateItAtLeastAsMuchAsEveryImageNotChosen() {
        int n = 500;
        LayerActivations layer = new LayerActivations(model, "relu5", 28);
        List<Long> channels = List.of(0L, 7L, 42L);
        DatasetExamples examples = new DatasetExamples(layer, channels, 5);
        List<Path> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(Path.of(i + ".png"));
        }
        for (int from = 0; from < n; from += 100) {
            examples.add(names.subList(from, from + 100), test.batch(from, from + 100, DataType.FLOAT));
        }
        // The examples rank by the channel's strongest position: compute that for every image directly.
        INDArray maps = layer.maps(test.batch(0, n, DataType.FLOAT)); // [n, C, h, w]
        Map<Long, List<DatasetExamples.Example>> chosen = examples.result();
        for (long c : channels) {
            INDArray strongest = maps.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(c)).reshape(n, -1).max(1);
            List<DatasetExamples.Example> top = chosen.get(c);
            assertEquals(5, top.size());
            double weakestChosen = top.stream().mapToDouble(DatasetExamples.Example::activation).min().orElseThrow();
            List<Integer> picked = top.stream().map(e -> Integer.parseInt(e.file().toString().replace(".png", ""))).toList();
            for (int i = 0; i < n; i++) {
                if (!picked.contains(i)) {
                    assertTrue(strongest.getDouble(i) <= weakestChosen + 1e-5,
                            "channel " + c + ": image " + i + " (" + strongest.getDouble(i) + ") beats the weakest example " + weakestChosen);
                }
            }
            for (DatasetExamples.Example e : top) {
                int i = Integer.parseInt(e.file().toString().replace(".png", ""));
                assertEquals(strongest.getDouble(i), e.activation(), 1e-4);
            }
        }
        Nd4j.getMemoryManager().invokeGc();
    }
}
