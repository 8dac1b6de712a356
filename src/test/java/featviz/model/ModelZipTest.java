package featviz.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.KnownAnswerNets;
import featviz.TestNets;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** ModelZip reads back what ModelSerializer wrote: the same configuration and every parameter, exactly. */
class ModelZipTest {
    @TempDir
    Path dir;

    @Test
    void aGraphComesBackWithItsConfigurationAndParameters() throws Exception {
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            ComputationGraph saved = TestNets.residualGraph(3, dt, 16);
            Path file = dir.resolve("residual-" + dt + ".zip");
            ModelSerializer.writeModel(saved, file.toFile(), false);
            ComputationGraph read = ModelZip.graph(file);
            assertEquals(saved.getConfiguration().toJson(), read.getConfiguration().toJson());
            assertEquals(dt, read.params().dataType());
            assertEquals(saved.params(), read.params());
            assertEquals(saved.getLayer(1).getParam("W"), read.getLayer(1).getParam("W"), "a layer's view");
        }
    }

    @Test
    void aMultiLayerNetworkComesBackToo() throws Exception {
        MultiLayerNetwork saved = KnownAnswerNets.edgeNet();
        Path file = dir.resolve("edges.zip");
        ModelSerializer.writeModel(saved, file.toFile(), false);
        MultiLayerNetwork read = ModelZip.network(file);
        assertEquals(saved.getLayerWiseConfigurations().toJson(), read.getLayerWiseConfigurations().toJson());
        assertEquals(saved.params(), read.params());
    }

    @Test
    void aZipWithoutParametersSaysWhatIsMissing() throws Exception {
        Path file = dir.resolve("half.zip");
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("configuration.json"));
            zip.write(KnownAnswerNets.edgeNet().getLayerWiseConfigurations().toJson().getBytes());
            zip.closeEntry();
        }
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> ModelZip.network(file));
        assertTrue(e.getReason().contains("no coefficients.bin inside"), e.getReason());
    }
}
