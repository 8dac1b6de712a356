package featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.KnownAnswerNets;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** featviz maximize end to end, in this JVM: outputs, JSON, and one clear line with exit 2 for each bad input. */
class MaximizeCommandTest {
    @TempDir
    static Path dir;
    static Path colourModel;

    @BeforeAll
    static void saveModels() throws Exception {
        colourModel = dir.resolve("colour-net.zip");
        ModelSerializer.writeModel(KnownAnswerNets.colourNet(), colourModel.toFile(), false);
    }

    static void assertOneLineError(Cli r, int code, String... fragments) {
        assertEquals(code, r.exit(), r.toString());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "expected one line: " + r);
        assertTrue(err.startsWith("featviz: "), r.toString());
        assertFalse(err.contains("Exception") || err.contains("\tat "), r.toString());
        for (String f : fragments) {
            assertTrue(err.contains(f), "missing '" + f + "' in: " + err);
        }
    }

    static List<Path> files(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        }
    }

    @Test
    void fileModelRendersItsRedChannelToThePngAndReportsJson() throws Exception {
        Path out = dir.resolve("red.png");
        Cli r = Cli.run("maximize", "--model", colourModel.toString(), "--layer", "colour", "--index", "0",
                "--size", "32", "--steps", "30", "--preset", "tutorial", "--output", out.toString(), "--json");
        assertEquals(0, r.exit(), r.toString());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(out.toString(), json.get("output").asText());
        assertEquals(30, json.get("steps").asInt());
        assertTrue(json.get("objective_last").asDouble() > json.get("objective_first").asDouble());
        assertTrue(json.get("seconds_per_step").asDouble() > 0);
        BufferedImage img = ImageIO.read(out.toFile());
        assertEquals(32, img.getWidth());
        int rgb = img.getRGB(16, 16);
        assertTrue(((rgb >> 16) & 255) > 240 && ((rgb >> 8) & 255) < 15 && (rgb & 255) < 15, Integer.toHexString(rgb));
    }

    @Test
    void randomZooModelWritesTheDefaultFileName() throws Exception {
        Path work = Files.createDirectories(dir.resolve("cwd"));
        Path out = work.resolve("vgg19_block1_conv2_3.png");
        Cli r = Cli.run("maximize", "--weights", "random", "--layer", "block1_conv2", "--index", "3", "--size", "32",
                "--steps", "2", "--quiet", "--output", out.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(Files.isRegularFile(out));
        assertEquals("", r.err());
    }

    @Test
    void unknownModelIsOneLineExit2() {
        assertOneLineError(Cli.run("maximize", "--model", "vgg91"), 2, "unknown model 'vgg91'", "vgg19", "resnet50");
    }

    @Test
    void unknownLayerListsTheClosestNames() {
        assertOneLineError(Cli.run("maximize", "--weights", "random", "--layer", "block5_conv44"), 2,
                "unknown layer 'block5_conv44'", "block5_conv4");
    }

    @Test
    void indexOutOfRangeSaysTheChannelCount() {
        assertOneLineError(Cli.run("maximize", "--weights", "random", "--layer", "block5_conv4", "--index", "512",
                "--size", "32"), 2, "512", "has 512 channels (0-511)");
    }

    @Test
    void unreadableStartImageIsOneLineExit2AndWritesNothing() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("corrupt"));
        Path bad = sub.resolve("photo.jpg");
        Files.write(bad, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        Path out = sub.resolve("out.png");
        assertOneLineError(Cli.run("maximize", "--model", colourModel.toString(), "--layer", "colour", "--size", "32",
                "--start", bad.toString(), "--output", out.toString()), 2, "photo.jpg");
        assertEquals(List.of(bad), files(sub));
        assertOneLineError(Cli.run("maximize", "--model", colourModel.toString(), "--layer", "colour",
                "--start", sub.resolve("missing.png").toString(), "--output", out.toString()), 2, "missing.png");
    }

    @Test
    void unwritableOutputIsOneLineExit2BeforeAnyWork() {
        assertOneLineError(Cli.run("maximize", "--model", colourModel.toString(), "--layer", "colour", "--size", "32",
                "--output", dir.resolve("no/such/dir/out.png").toString()), 2, "no/such/dir");
    }

    @Test
    void badNumbersAndNamesAreOneLineExit2() {
        assertOneLineError(Cli.run("maximize", "--steps", "0"), 2, "--steps");
        assertOneLineError(Cli.run("maximize", "--steps", "many"), 2, "many");
        assertOneLineError(Cli.run("maximize", "--size", "3"), 2, "--size");
        assertOneLineError(Cli.run("maximize", "--optimizer", "sgd"), 2, "sgd");
        assertOneLineError(Cli.run("maximize", "--weights", "imagenett"), 2, "imagenett");
        assertOneLineError(Cli.run("maximize", "--lr", "-1"), 2, "--step-size");
        assertOneLineError(Cli.run("maximize", "--no-such-option"), 2, "--no-such-option");
        assertOneLineError(Cli.run("maximize", "--preset", "fancy"), 2, "fancy");
        assertOneLineError(Cli.run("maximize", "--param", "wavelet"), 2, "wavelet");
        assertOneLineError(Cli.run("maximize", "--transforms", "jiter:8"), 2, "jiter");
        assertOneLineError(Cli.run("maximize", "--batch", "0"), 2, "--batch");
        assertOneLineError(Cli.run("maximize", "--weights", "random", "--shard", "4/3", "--size", "16"), 2, "--shard");
        assertOneLineError(Cli.run("maximize", "--weights", "random", "--index", "5-2", "--size", "16"), 2, "backwards");
        assertOneLineError(Cli.run("maximize", "--weights", "random", "--index", "a,b", "--size", "16"), 2, "'a'");
        assertOneLineError(Cli.run("maximize", "--weights", "random", "--layer", "block1_conv1", "--objective", "tv"),
                2, "--objective replaces");
        assertOneLineError(Cli.run("maximize", "--like", "/no/such.png"), 2, "such.png");
    }

    @Test
    void notAModelZipIsOneLineExit2() throws Exception {
        Path fake = dir.resolve("fake.zip");
        Files.writeString(fake, "not a zip");
        assertOneLineError(Cli.run("maximize", "--model", fake.toString(), "--layer", "x"), 2, "fake.zip");
    }

    @Test
    void unreachableWeightHostIsOneLineExit1NamingUrlCacheAndAlternatives() throws Exception {
        // A closed loopback port stands in for an unreachable weight host.
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path cache = Files.createDirectories(dir.resolve("cache"));
        String url = System.getProperty(featviz.model.WeightStore.DL4J_BASE_URL_PROPERTY);
        String root = System.getProperty(featviz.model.WeightStore.DL4J_DIRECTORY_PROPERTY);
        System.setProperty(featviz.model.WeightStore.DL4J_BASE_URL_PROPERTY, "http://127.0.0.1:" + port + "/");
        System.setProperty(featviz.model.WeightStore.DL4J_DIRECTORY_PROPERTY, cache.toString());
        try {
            Cli r = Cli.run("maximize", "--layer", "block5_conv4", "--index", "4", "--output",
                    dir.resolve("never.png").toString());
            assertOneLineError(r, 1, "http://127.0.0.1:" + port + "/models/vgg19_dl4j_inference.zip",
                    cache.resolve("models/vgg19/vgg19_dl4j_inference.zip").toString(), "--weights random", "--model PATH");
            assertFalse(Files.exists(dir.resolve("never.png")));
        } finally {
            restore(featviz.model.WeightStore.DL4J_BASE_URL_PROPERTY, url);
            restore(featviz.model.WeightStore.DL4J_DIRECTORY_PROPERTY, root);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    @Test
    void helpTeachesWithExamples() {
        Cli r = Cli.run("maximize", "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("featviz maximize --layer block5_conv4 --index 4"), r.out());
        assertTrue(r.out().contains("--optimizer"), r.out());
    }
}
