package featviz.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import featviz.TestNets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The input gradient of every op featviz supports (BatchNorm and residual adds included) against central
 * finite differences, in double precision, on a hand-built graph.
 */
class NetworkGradientTest {

    /** f(x) = sum over taps of sum(R_tap * activation_tap), so df/dactivation = R_tap. */
    static Map<String, INDArray> randomProbes(Network net, INDArray x, List<String> taps, long seed) {
        Map<String, INDArray> acts = net.forward(x, taps);
        Map<String, INDArray> probes = new LinkedHashMap<>();
        long s = seed;
        for (Map.Entry<String, INDArray> e : acts.entrySet()) {
            probes.put(e.getKey(), GradientCheck.uniform(DataType.DOUBLE, s++, e.getValue().shape()).subi(0.5));
        }
        return probes;
    }

    static Function<INDArray, Double> objective(Network net, Map<String, INDArray> probes) {
        return x -> {
            Map<String, INDArray> acts = net.forward(x, probes.keySet());
            double v = 0;
            for (String k : probes.keySet()) {
                v += acts.get(k).mul(probes.get(k)).sumNumber().doubleValue();
            }
            return v;
        };
    }

    @Test
    void residualGraphGradientMatchesFiniteDifferencesAtEveryPixel() {
        ComputationGraph graph = TestNets.residualGraph(3, DataType.DOUBLE, 16);
        GraphSpec spec = GraphSpec.of(graph.getConfiguration(), InputType.convolutional(16, 16, 3));
        List<String> taps = List.of("out", "gap", "act2");
        Network net = NetworkBuilder.build(spec, new LoadedWeights(graph, "test"), taps, DataType.DOUBLE);
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, 5, 1, 3, 16, 16);
        Map<String, INDArray> probes = randomProbes(net, x, taps, 11);
        net.forward(x, taps);
        INDArray grad = net.backward(probes);
        double err = GradientCheck.maxRelativeError(objective(net, probes), x, grad, Integer.MAX_VALUE, 1);
        assertTrue(err < 1e-4, "max relative error " + err);
    }

    @Test
    void truncationComputesNothingPastTheTarget() {
        ComputationGraph graph = TestNets.residualGraph(3, DataType.DOUBLE, 16);
        GraphSpec spec = GraphSpec.of(graph.getConfiguration(), InputType.convolutional(16, 16, 3));
        Network net = NetworkBuilder.build(spec, new LoadedWeights(graph, "test"), List.of("add"), DataType.DOUBLE);
        assertTrue(net.has("add") && net.has("bn2") && net.has("act1"));
        assertTrue(!net.has("act2") && !net.has("fc") && !net.has("out") && !net.has("maxpool"), net.nodeNames().toString());
    }
}
