package featviz.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.UsageException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** Class labels: where they come from, and the forgiving lookup with its one-line errors. */
class LabelsTest {
    @TempDir
    Path dir;

    static final Labels FASHION = new Labels(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
            "Shirt", "Sneaker", "Bag", "Ankle boot"), "fashion-mnist");

    @Test
    void theImageNetFileIsKerassByteForByte() throws Exception {
        try (InputStream in = Labels.class.getResourceAsStream("/featviz/models/imagenet_class_index.json")) {
            byte[] bytes = in.readAllBytes();
            // the MD5 DL4J checks (shared/NOTES.md, models/README.md)
            assertEquals("c2c37ea517e94d9795004a39431a14cb",
                    HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes)));
        }
    }

    @Test
    void zooModelsCarryImageNetsLabels() {
        for (String zoo : List.of("vgg19", "resnet50")) {
            Labels labels = Labels.ofCatalogue(zoo);
            assertEquals(1000, labels.size());
            assertEquals("tench", labels.names().get(0));
            assertEquals(329, labels.indexOf("sea_cucumber"));
            assertEquals(329, labels.indexOf("Sea Cucumber"));
            assertEquals(607, labels.indexOf("jack-o'-lantern"));
            assertEquals(607, labels.indexOf("jack o lantern"));
        }
        assertEquals(Labels.NONE, Labels.ofCatalogue("no-such-model"));
        // an inline list, as models/fashion-mnist.json has it (a test resource of the same form)
        Labels inline = Labels.ofCatalogue("labels-inline-test");
        assertEquals(FASHION.names(), inline.names());
        assertEquals(9, inline.indexOf("ankle_boot"));
    }

    @Test
    void aLoadedZooModelHasThemOnItsOutputLayer() {
        VisionModel vgg = new ModelLoader(null).load("vgg19", ModelLoader.WeightsChoice.RANDOM, null, 0);
        assertEquals(1000, vgg.labels().size());
        assertEquals("predictions", vgg.displayName(vgg.outputLayer(224, 224)));
    }

    @Test
    void matchingIgnoresCaseAndSeparators() {
        for (String q : List.of("ankle_boot", "Ankle boot", "ANKLE-BOOT", "ankleboot", " ankle  boot ")) {
            assertEquals(9, FASHION.indexOf(q), q);
        }
        for (String q : List.of("t-shirt/top", "tshirt_top", "T shirt top", "TShirtTop")) {
            assertEquals(0, FASHION.indexOf(q), q);
        }
    }

    @Test
    void anUnknownLabelIsOneLineWithTheClosest() {
        UsageException e = assertThrows(UsageException.class, () -> FASHION.indexOf("snicker"));
        assertEquals("no class 'snicker' among the 10 labels of fashion-mnist; closest: Sneaker (7), Trouser (1),"
                + " Shirt (6)", e.getMessage()); // distances 2, 5, 5: ties by index
        UsageException imagenet = assertThrows(UsageException.class, () -> Labels.ofCatalogue("vgg19").indexOf("sea_cucmber"));
        assertTrue(imagenet.getMessage().contains("closest: sea_cucumber (329)"), imagenet.getMessage());
    }

    @Test
    void aLabelSeveralClassesShareNamesTheirIndices() {
        UsageException e = assertThrows(UsageException.class, () -> Labels.ofCatalogue("vgg19").indexOf("crane"));
        assertEquals("class 'crane' is ambiguous: 134 (crane), 517 (crane); give the index instead", e.getMessage());
    }

    @Test
    void editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        assertEquals(0, LayerNames.editDistance("boot", "boot"));
        assertEquals(1, LayerNames.editDistance("bot", "boot"));
        assertEquals(1, LayerNames.editDistance("boot", "boat"));
        assertEquals(3, LayerNames.editDistance("kitten", "sitting"));
        assertEquals(4, LayerNames.editDistance("", "coat"));
    }

    @Test
    void catalogueFormsListKerasIndexAndPlainIndex() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertEquals(List.of("a", "b"), Labels.parse(json.readTree("[\"a\", \"b\"]")));
        assertEquals(List.of("tench", "goldfish"),
                Labels.parse(json.readTree("{\"1\": [\"n01443537\", \"goldfish\"], \"0\": [\"n01440764\", \"tench\"]}")));
        assertEquals(List.of("x", "y"), Labels.parse(json.readTree("{\"0\": \"x\", \"1\": \"y\"}")));
        assertThrows(IllegalArgumentException.class, () -> Labels.parse(json.readTree("{\"0\": \"x\", \"2\": \"y\"}")));
    }

    @Test
    void aModelFileFindsItsLabelsBesideIt() throws Exception {
        Path zip = Files.createFile(dir.resolve("net.zip"));
        assertEquals(Labels.NONE, Labels.besideFile(zip));
        Files.writeString(dir.resolve("net.labels.txt"), "Ankle boot\n\nT-shirt/top\n");
        Labels labels = Labels.besideFile(zip);
        assertEquals(List.of("Ankle boot", "T-shirt/top"), labels.names());
        assertEquals("net.labels.txt", labels.source());
        Files.delete(dir.resolve("net.labels.txt"));
        Files.writeString(dir.resolve("net.labels.json"), "[\"a\", \"b\", \"c\"]");
        assertEquals(3, Labels.besideFile(zip).size());
        Files.writeString(dir.resolve("net.labels.json"), "{broken");
        UsageException e = assertThrows(UsageException.class, () -> Labels.besideFile(zip));
        assertTrue(e.getMessage().startsWith("cannot read labels ") && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void imageNetsPreprocessingsAreForThreeChannelsOnly() {
        for (Preprocessing p : List.of(Preprocessing.CAFFE, Preprocessing.TORCH, Preprocessing.TF)) {
            UsageException e = assertThrows(UsageException.class, () -> p.check(1));
            assertEquals("--preprocess " + p.label() + " is ImageNet's convention for 3-channel RGB input, but this"
                    + " model takes 1 channel; use --preprocess unit", e.getMessage());
            p.check(3);
        }
        for (long c = 1; c <= 5; c++) {
            Preprocessing.UNIT.check(c);
        }
    }
}
