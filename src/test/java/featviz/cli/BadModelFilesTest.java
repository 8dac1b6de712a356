package featviz.cli;

import static featviz.cli.MaximizeCommandTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.KnownAnswerNets;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Damaged and mismatched model files: each is one line on stderr, exit 2, and no image written (the
 * output directory stays empty).
 */
class BadModelFilesTest {
    @TempDir
    static Path dir;
    static Path good;
    static Map<String, byte[]> entries;

    @BeforeAll
    static void saveModel() throws Exception {
        good = dir.resolve("colour-net.zip");
        ModelSerializer.writeModel(KnownAnswerNets.colourNet(), good.toFile(), false);
        entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(good.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                try (InputStream in = zip.getInputStream(e)) {
                    entries.put(e.getName(), in.readAllBytes());
                }
            }
        }
    }

    private static Path variant(String name, UnaryOperator<Map<String, byte[]>> change) throws IOException {
        Map<String, byte[]> copy = change.apply(new LinkedHashMap<>(entries));
        Path zip = dir.resolve(name);
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (Map.Entry<String, byte[]> e : copy.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        return zip;
    }

    private static byte[] parameters(long count) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Nd4j.write(Nd4j.rand(DataType.FLOAT, 1, count), out);
        }
        return bytes.toByteArray();
    }

    private static long parameterCount() throws IOException {
        return ModelSerializer.restoreMultiLayerNetwork(good.toFile(), false).numParams();
    }

    private static void assertRefused(Path model, String... fragments) throws IOException {
        Path out = Files.createDirectories(dir.resolve("out-" + model.getFileName()));
        Cli r = Cli.run("maximize", "--model", model.toString(), "--layer", "colour", "--size", "16", "--steps", "1",
                "--output", out.resolve("x.png").toString());
        assertOneLineError(r, 2, fragments);
        try (var files = Files.list(out)) {
            assertEquals(0, files.count(), "nothing may be written");
        }
    }

    @Test
    void aZipWithoutConfiguration() throws Exception {
        assertRefused(variant("no-conf.zip", m -> { m.remove("configuration.json"); return m; }), "no configuration.json");
    }

    @Test
    void aZipWithoutParameters() throws Exception {
        assertRefused(variant("no-params.zip", m -> { m.remove("coefficients.bin"); return m; }), "no coefficients.bin");
    }

    @Test
    void aConfigurationNamingAClassNoDl4jReleaseHas() throws Exception {
        Path zip = variant("alien.zip", m -> {
            String json = new String(m.get("configuration.json"), StandardCharsets.UTF_8);
            assertTrue(json.contains("org.deeplearning4j.nn.conf.layers.ConvolutionLayer"), json);
            m.put("configuration.json", json.replace("org.deeplearning4j.nn.conf.layers.ConvolutionLayer",
                    "org.deeplearning4j.nn.conf.layers.HyperConvolutionLayer").getBytes(StandardCharsets.UTF_8));
            return m;
        });
        assertRefused(zip, "HyperConvolutionLayer");
    }

    @Test
    void parametersFewerOrMoreThanTheConfigurationNeeds() throws Exception {
        long n = parameterCount();
        byte[] fewer = parameters(n - 1);
        byte[] more = parameters(n + 1);
        assertRefused(variant("fewer.zip", m -> { m.put("coefficients.bin", fewer); return m; }),
                "holds " + (n - 1) + " parameters where the configuration has " + n);
        assertRefused(variant("more.zip", m -> { m.put("coefficients.bin", more); return m; }),
                "holds " + (n + 1) + " parameters");
    }

    @Test
    void parametersTruncatedOrPaddedAfterTheirHeader() throws Exception {
        byte[] whole = entries.get("coefficients.bin");
        byte[] cut = Arrays.copyOf(whole, whole.length - 3);
        byte[] padded = Arrays.copyOf(whole, whole.length + 8);
        assertRefused(variant("cut.zip", m -> { m.put("coefficients.bin", cut); return m; }), "truncated");
        assertRefused(variant("padded.zip", m -> { m.put("coefficients.bin", padded); return m; }), "longer than it says");
    }

    @Test
    void weightsPathOnAFileModelOrAMissingFile() throws Exception {
        assertOneLineError(Cli.run("layers", "--model", good.toString(), "--weights", good.toString()), 2,
                "zoo models only");
        assertOneLineError(Cli.run("layers", "--model", "vgg19", "--weights", dir.resolve("absent.zip").toString()), 2,
                "no such file");
    }
}
