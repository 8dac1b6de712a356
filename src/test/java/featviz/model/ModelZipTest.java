package featviz.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.KnownAnswerNets;
import featviz.TestNets;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ZipWeights reads from a ModelSerializer zip exactly the parameters DL4J's own loader gives each layer,
 * for graphs (float and double, BatchNorm, residual adds) and layer lists, reading only the layers asked for.
 */
class ModelZipTest {
    @TempDir
    Path dir;

    @Test
    void everyLayerOfAGraphReadsAsDl4jRestoresIt() throws Exception {
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            Path file = dir.resolve("residual-" + dt + ".zip");
            ModelSerializer.writeModel(TestNets.residualGraph(3, dt, 16), file.toFile(), false);
            ComputationGraph reference = ModelSerializer.restoreComputationGraph(file.toFile(), false);
            ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(ModelZip.configurationJson(file));
            ZipWeights weights = new ZipWeights(file, conf, "test");
            weights.verify();
            GraphSpec spec = GraphSpec.of(conf, InputType.convolutional(16, 16, 3));
            int compared = 0;
            for (GraphSpec.Vertex v : spec.vertices()) {
                if (v.layer() == null) {
                    continue;
                }
                Layer layer = reference.getLayer(v.name());
                for (var e : layer.paramTable().entrySet()) {
                    INDArray read = weights.param(v, e.getKey(), e.getValue().shape());
                    assertEquals(e.getValue(), read, v.name() + " " + e.getKey() + " " + dt);
                    compared++;
                }
            }
            assertTrue(compared >= 8, "compared " + compared + " parameters");
        }
    }

    @Test
    void aLayerListReadsAsDl4jRestoresItAndEachParameterIsHandedOutOnce() throws Exception {
        Path file = dir.resolve("edges.zip");
        ModelSerializer.writeModel(KnownAnswerNets.edgeNet(), file.toFile(), false);
        MultiLayerNetwork reference = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
        MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(ModelZip.configurationJson(file));
        ZipWeights weights = new ZipWeights(file, conf, "test");
        GraphSpec spec = GraphSpec.of(conf, InputType.convolutional(8, 8, 3));
        GraphSpec.Vertex edges = spec.vertex("edges");
        weights.prepare(List.of(edges));
        INDArray w = weights.param(edges, "W", null);
        assertEquals(reference.getLayer(0).getParam("W"), w);
        assertFalse(w.isView(), "an array of its own, which the network may free");
        INDArray again = weights.param(edges, "W", null); // read from the file again
        assertEquals(w, again);
        assertNotSame(w, again);
        assertNull(weights.param(spec.vertex("input"), "W", null));
    }

    @Test
    void aZipWithTooFewOrNoParametersSaysSo() throws Exception {
        MultiLayerNetwork net = KnownAnswerNets.edgeNet();
        String json = net.getLayerWiseConfigurations().toJson();
        Path none = dir.resolve("none.zip");
        try (OutputStream out = Files.newOutputStream(none); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("configuration.json"));
            zip.write(json.getBytes());
            zip.closeEntry();
        }
        MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(json);
        NoSuchFileException missing = assertThrows(NoSuchFileException.class,
                () -> new ZipWeights(none, conf, "test").verify());
        assertTrue(missing.getReason().contains("no coefficients.bin inside"), missing.getReason());

        Path other = dir.resolve("other.zip"); // a bigger network's configuration over these parameters
        ModelSerializer.writeModel(net, other.toFile(), false);
        IOException e = assertThrows(IOException.class, () -> new ZipWeights(other,
                withMoreParameters(conf), "test").verify());
        assertTrue(e.getMessage().contains("parameters where the configuration has"), e.getMessage());
    }

    private static MultiLayerConfiguration withMoreParameters(MultiLayerConfiguration conf) {
        MultiLayerConfiguration c = conf.clone();
        ConvolutionLayer layer = (ConvolutionLayer) c.getConf(0).getLayer();
        layer.setNOut(layer.getNOut() + 1);
        return c;
    }
}
