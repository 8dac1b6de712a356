package featviz.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import featviz.dataset.FashionMnist;
import featviz.dataset.LabeledImages;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.Adler32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * The Fashion-MNIST models the repository ships, loaded as any user's model file and run by featviz's own
 * network (BatchNorm folded, float), classify the 10,000 test images as well as their catalogue entries say
 * (measured by DL4J when they were trained). Needs Debian's dataset-fashion-mnist (.ci/run installs it).
 */
class FashionMnistAccuracyTest {
    private static LabeledImages test;

    @BeforeAll
    static void readTestImages() {
        test = FashionMnist.locate().test();
    }

    @Test
    void shippedModelMatchesItsCatalogueEntry() throws IOException {
        JsonNode entry = json(Path.of("models/fashion-mnist.json"));
        checkModel(Path.of("models").resolve(entry.get("file").asText()), entry);
    }

    @Test
    void secondModelMatchesItsEntry() throws IOException, URISyntaxException {
        Path json = Path.of(FashionMnistAccuracyTest.class.getResource("/featviz/fashion-mnist-b.json").toURI());
        JsonNode entry = json(json);
        checkModel(json.resolveSibling(entry.get("file").asText()), entry);
    }

    private static void checkModel(Path zip, JsonNode entry) throws IOException {
        byte[] bytes = Files.readAllBytes(zip);
        Adler32 adler = new Adler32();
        adler.update(bytes);
        assertEquals(entry.get("adler32").asLong(), adler.getValue(), zip + " Adler32");
        assertEquals(entry.get("sha256").asText(), sha256(bytes), zip + " SHA-256");

        VisionModel model = new ModelLoader(null).load(zip.toString(), null, null, 0);
        assertEquals(entry.get("preprocessing").asText(), model.preprocessing().label());
        assertEquals(1, model.inputShape()[0]);
        String output = entry.get("outputLayer").asText();
        ImageNetwork net = model.network(List.of(output), DataType.FLOAT, 28, 28);
        int correct = 0;
        for (int from = 0; from < test.size(); from += 1000) {
            int to = Math.min(test.size(), from + 1000);
            // unit preprocessing is the identity: the 1-channel batch is the network input as it stands
            INDArray scores = net.network().forward(test.batch(from, to, DataType.FLOAT), List.of(output)).get(output);
            INDArray predicted = scores.argMax(1);
            for (int i = from; i < to; i++) {
                correct += predicted.getInt(i - from) == test.label(i) ? 1 : 0;
            }
            net.clear();
        }
        double accuracy = correct / (double) test.size();
        System.out.printf("%s: test accuracy %.2f%% (%d of %d) through featviz's network%n", zip, 100 * accuracy,
                correct, test.size());
        assertEquals(test.size(), entry.get("testImages").asInt());
        assertEquals(entry.get("testAccuracy").asDouble(), accuracy, 0.001, zip + " test accuracy");
    }

    private static JsonNode json(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
