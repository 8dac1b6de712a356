package featviz.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.TestNets;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** featviz's re-expression of a DL4J graph computes what DL4J computes, vertex by vertex. */
class NetworkMatchesDl4jTest {

    @Test
    void everyVertexMatchesDl4jInferenceForward() {
        ComputationGraph graph = TestNets.residualGraph(7, DataType.DOUBLE, 16);
        GraphSpec spec = GraphSpec.of(graph.getConfiguration(), InputType.convolutional(16, 16, 3));
        List<String> names = spec.vertices().stream().map(GraphSpec.Vertex::name).filter(n -> !n.equals("in")).toList();
        Network net = NetworkBuilder.build(spec, new LoadedWeights(graph, "test"), names, DataType.DOUBLE);

        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, 16, 16);
        Map<String, INDArray> expected = graph.feedForward(x, false);
        Map<String, INDArray> actual = net.forward(x, names);
        for (String name : names) {
            INDArray e = expected.get(name);
            INDArray a = actual.get(name);
            assertArrayEquals(e.shape(), a.shape(), name);
            // DL4J's ActivationLayer applies its function in place to its input at inference time, so
            // DL4J's record of a vertex read by one shows that function applied.
            for (GraphSpec.Vertex consumer : spec.vertices()) {
                if (consumer.inputs().contains(name) && consumer.layer() instanceof ActivationLayer act) {
                    a = act.getActivationFn().getActivation(a.dup(), false);
                }
            }
            double err = e.sub(a).amaxNumber().doubleValue() / Math.max(1e-12, e.amaxNumber().doubleValue());
            assertTrue(err < 1e-10, name + " differs from DL4J by " + err);
        }
    }
}
