package featviz.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Model files written by real DL4J releases (0.5.0 and 1.0.0-beta6, from DL4J's own regression tests; see
 * the README beside them): featviz reads them, lists every layer as a target, and computes what DL4J
 * 1.0.0-beta6 computed and stored.
 */
class Dl4jRegressionFilesTest {
    static final Path DIR = Path.of("src/test/resources/featviz/dl4j-regression");
    static final Path V050 = DIR.resolve("050_ModelSerializer_Regression_CNN_1.zip");
    static final Path BETA6 = DIR.resolve("SyntheticCNN_100b6.bin");

    static VisionModel load(Path file) {
        return new ModelLoader(null).load(file.toString(), null, null, 0);
    }

    static INDArray read(String file) throws Exception {
        try (InputStream in = Files.newInputStream(DIR.resolve(file))) {
            return Nd4j.read(new DataInputStream(in));
        }
    }

    @Test
    void the050ModelTakesTheSizeItsOutputLayerFixesAndEveryLayerIsATarget() {
        VisionModel model = load(V050);
        // OutputLayer nIn 2028 = 3 x 26 x 26 after a 2x2 convolution and a 2x2/1 pool: 28x28 images.
        assertArrayEquals(new int[] {3, 28, 28}, model.inputShape());
        List<LayerInfo> layers = model.layers(28, 28);
        assertEquals(List.of("0", "1", "2"), layers.stream().map(LayerInfo::name).toList());
        layers.forEach(l -> assertTrue(l.target(), l.name() + " " + l.type() + " is not a target"));
        assertArrayEquals(new long[] {3, 27, 27}, layers.get(0).shape());
        assertArrayEquals(new long[] {5}, layers.get(2).shape());
    }

    @Test
    void the050ModelComputesWhatDl4jsOwnRestoreComputes() throws Exception {
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork dl4j =
                org.deeplearning4j.util.ModelSerializer.restoreMultiLayerNetwork(V050.toFile(), false);
        INDArray x = featviz.GradientCheck.uniform(DataType.FLOAT, 3, 2, 3, 28, 28).subi(0.5).muli(0.02);
        // M2.1 restores this file without the preprocessor in front of its output layer (its own forward then
        // fails there): DL4J's activations for the two map layers, and the output layer by hand from its
        // parameters, sigmoid(flatten(pool) W + b) with DL4J's C-order flatten.
        List<INDArray> expected = new java.util.ArrayList<>(dl4j.feedForwardToLayer(1, x.castTo(dl4j.params().dataType()), false));
        INDArray pooled = expected.get(2);
        INDArray logits = pooled.reshape('c', pooled.size(0), -1).mmul(dl4j.getLayer(2).getParam("W"))
                .addiRowVector(dl4j.getLayer(2).getParam("b"));
        expected.add(org.nd4j.linalg.ops.transforms.Transforms.sigmoid(logits, true));
        Network net = load(V050).network(List.of("0", "1", "2"), DataType.FLOAT, 28, 28).network();
        var actual = net.forward(x, List.of("0", "1", "2"));
        for (int i = 0; i < 3; i++) {
            INDArray e = expected.get(i + 1).castTo(DataType.DOUBLE);
            INDArray a = actual.get(String.valueOf(i)).castTo(DataType.DOUBLE);
            assertArrayEquals(e.shape(), a.shape());
            double err = e.sub(a).amaxNumber().doubleValue() / e.amaxNumber().doubleValue();
            System.out.println("0.5.0 CNN layer " + i + " vs DL4J M2.1's restore: max relative error " + err);
            assertTrue(err < 1e-5, "layer " + i + ": " + err);
        }
    }

    @Test
    void theBeta6ModelListsEveryLayerAsATargetAndReproducesDl4jsStoredOutput() throws Exception {
        VisionModel model = load(BETA6);
        assertArrayEquals(new int[] {1, 224, 224}, model.inputShape()); // fully convolutional: the usual size
        List<LayerInfo> layers = model.layers(28, 28);
        assertEquals(10, layers.size(), layers.toString());
        layers.forEach(l -> assertTrue(l.target(), l.name() + " " + l.type() + " is not a target"));

        INDArray input = read("SyntheticCNN_Input_100b6.bin").castTo(DataType.DOUBLE);
        INDArray expected = read("SyntheticCNN_Output_100b6.bin").castTo(DataType.DOUBLE);
        GraphSpec spec = model.spec(28, 28);
        String last = spec.vertices().get(spec.vertices().size() - 1).name();
        Network net = model.network(List.of(last), DataType.DOUBLE, 28, 28).network();
        INDArray actual = net.forward(input, List.of(last)).get(last);
        assertArrayEquals(expected.shape(), actual.shape());
        double err = expected.sub(actual).amaxNumber().doubleValue() / expected.amaxNumber().doubleValue();
        System.out.println("beta6 SyntheticCNN output vs DL4J 1.0.0-beta6's stored output: max relative error " + err);
        assertTrue(err < 1e-5, "max relative error " + err);
    }
}
