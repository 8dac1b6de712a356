package featviz.model;

import featviz.RunFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.util.GraphIndices;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The parameters of a model zip, read from the file for the layers a network needs and no others.
 *
 * <p>DL4J keeps a network's parameters in one flat vector, layer after layer in topological order, and so
 * does coefficients.bin. {@link #prepare} reads the file once up to the last layer wanted, skipping the
 * others, and stops there: for VGG19 to block5_conv4 that is the 20 million convolution parameters of 143
 * million, the dense head neither kept nor, being last, even inflated. Each parameter is handed out once,
 * as an array of its own that the network owns (a convolution frees it once oneDNN has converted it).
 */
final class ZipWeights implements WeightSource {
    private final Path file;
    private final String identity;
    private final Map<String, Slot> layout = new LinkedHashMap<>(); // by vertex name, in file order
    private final Map<String, Map<String, INDArray>> loaded = new HashMap<>();

    /** Where a layer's parameters lie in the flat vector, and its configuration to cut them into arrays. */
    private record Slot(long offset, long count, NeuralNetConfiguration conf) {
    }

    ZipWeights(Path file, ComputationGraphConfiguration conf, String identity) {
        this.file = file;
        this.identity = identity;
        GraphIndices indices = new ComputationGraph(conf).calculateIndices();
        long offset = 0;
        for (int i : indices.getTopologicalSortOrder()) {
            String name = indices.getIdxToName().get(i);
            GraphVertex vertex = conf.getVertices().get(name);
            long count = vertex == null ? 0 : vertex.numParams(true);
            if (count > 0) {
                layout.put(name, new Slot(offset, count, ((LayerVertex) vertex).getLayerConf()));
                offset += count;
            }
        }
    }

    ZipWeights(Path file, MultiLayerConfiguration conf, String identity) {
        this.file = file;
        this.identity = identity;
        long offset = 0;
        for (int i = 0; i < conf.getConfs().size(); i++) {
            NeuralNetConfiguration layer = conf.getConf(i);
            long count = layer.getLayer().initializer().numParams(layer);
            if (count > 0) {
                layout.put(GraphSpec.layerName(layer.getLayer(), i), new Slot(offset, count, layer));
                offset += count;
            }
        }
    }

    /** Checks that the file holds as many parameters as the configuration has, reading only the headers. */
    void verify() throws IOException {
        long expected = layout.values().stream().mapToLong(Slot::count).sum();
        try (ModelZip.Parameters flat = new ModelZip.Parameters(file)) {
            if (flat.length() != expected) {
                throw new IOException("coefficients.bin holds " + flat.length() + " parameters where the configuration has "
                        + expected);
            }
            flat.checkComplete();
        }
    }

    @Override
    public void prepare(Collection<GraphSpec.Vertex> vertices) {
        List<String> wanted = new ArrayList<>();
        for (GraphSpec.Vertex v : vertices) {
            if (layout.containsKey(v.name()) && !loaded.containsKey(v.name())) {
                wanted.add(v.name());
            }
        }
        if (wanted.isEmpty()) {
            return;
        }
        wanted.sort((a, b) -> Long.compare(layout.get(a).offset(), layout.get(b).offset()));
        try (ModelZip.Parameters flat = new ModelZip.Parameters(file)) {
            for (String name : wanted) {
                Slot slot = layout.get(name);
                flat.skipTo(slot.offset());
                INDArray row = flat.read(slot.count());
                Map<String, INDArray> views = slot.conf().getLayer().initializer().init(slot.conf(), row, false);
                Map<String, INDArray> own = new HashMap<>();
                views.forEach((key, view) -> own.put(key, view.dup(view.ordering())));
                row.close();
                loaded.put(name, own);
            }
        } catch (IOException e) {
            throw new RunFailure("cannot read the weights in " + file + ": " + ModelLoader.firstLine(e));
        }
    }

    /** The parameter, which the caller now owns: asked again, it is read from the file again. */
    @Override
    public INDArray param(GraphSpec.Vertex vertex, String key, long[] shape) {
        if (!layout.containsKey(vertex.name())) {
            return null;
        }
        if (!loaded.containsKey(vertex.name()) || !loaded.get(vertex.name()).containsKey(key)) {
            loaded.remove(vertex.name());
            prepare(List.of(vertex));
        }
        Map<String, INDArray> params = loaded.get(vertex.name());
        INDArray p = params.remove(key);
        if (params.isEmpty()) {
            loaded.remove(vertex.name());
        }
        return p;
    }

    @Override
    public String identity() {
        return identity;
    }
}
