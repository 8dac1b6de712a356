package featviz.model;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model zip in DL4J's ModelSerializer format (configuration.json, coefficients.bin), read entry by entry
 * from the file. ModelSerializer first copies every entry into a byte array on the Java heap and then
 * builds the parameters from it: for a VGG19 with its dense head (127 million parameters) that peaked at
 * 2.3 GB resident and took 6.4 s; streamed into the network's own parameter array, 0.7 GB and 3.7 s (about
 * 2.5 s of which is inflating the 507 MB entry). The network is initialised on the parameters read, not
 * randomly first; updater state, if the file has any, is not read.
 */
final class ModelZip {
    private static final String CONFIGURATION = "configuration.json";
    private static final String PARAMETERS = "coefficients.bin";

    private ModelZip() {
    }

    /** The network configuration as JSON. */
    static String configurationJson(Path path) throws IOException {
        try (ZipFile zip = new ZipFile(path.toFile()); InputStream in = entry(zip, CONFIGURATION)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static ComputationGraph graph(Path path) throws IOException {
        ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(configurationJson(path));
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init(parameters(path, conf.getDataType()), false);
        return graph;
    }

    static MultiLayerNetwork network(Path path) throws IOException {
        MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(configurationJson(path));
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init(parameters(path, conf.getDataType()), false);
        return net;
    }

    /** The flat parameter vector, in the network's data type. */
    private static INDArray parameters(Path path, DataType type) throws IOException {
        try (ZipFile zip = new ZipFile(path.toFile());
                DataInputStream in = new DataInputStream(new BufferedInputStream(entry(zip, PARAMETERS), 1 << 20))) {
            INDArray flat;
            try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                flat = Nd4j.read(in);
            }
            return flat.dataType() == type ? flat : flat.castTo(type);
        }
    }

    private static InputStream entry(ZipFile zip, String name) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new NoSuchFileException(name, null, "not a DL4J model zip (no " + name + " inside)");
        }
        return zip.getInputStream(entry);
    }
}
