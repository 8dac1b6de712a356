package featviz.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * featviz's zoo architectures are the pretrained files' own: at the small fixtures' widths and input sizes, the
 * M2.1 configuration has the vertices (names, order, inputs), layer classes, geometry, activations, BatchNorm
 * settings and output shapes of the file the old DL4J release wrote; at full size, the real files' parameter counts.
 */
class ZooArchitecturesTest {

    /** One line per vertex with everything that decides what it computes (weights aside). */
    static List<String> describe(ComputationGraphConfiguration conf, int size) {
        GraphSpec spec = GraphSpec.of(conf, InputType.convolutional(size, size, 3));
        return spec.vertices().stream().map(v -> v.name() + " <- " + v.inputs() + " " + v.typeName() + " "
                + details(v) + " -> " + v.outputType() + " params "
                + (v.graphVertex() == null ? 0 : v.graphVertex().numParams(true))).toList();
    }

    private static String details(GraphSpec.Vertex v) {
        if (v.layer() instanceof ConvolutionLayer c) {
            return "k" + List.of(c.getKernelSize()[0], c.getKernelSize()[1]) + " s" + List.of(c.getStride()[0], c.getStride()[1])
                    + " p" + List.of(c.getPadding()[0], c.getPadding()[1]) + " " + c.getConvolutionMode() + " " + c.getNIn()
                    + "->" + c.getNOut() + " " + c.getActivationFn() + " bias " + c.hasBias();
        }
        if (v.layer() instanceof SubsamplingLayer s) {
            return s.getPoolingType() + " k" + List.of(s.getKernelSize()[0], s.getKernelSize()[1]) + " s"
                    + List.of(s.getStride()[0], s.getStride()[1]) + " " + s.getConvolutionMode();
        }
        if (v.layer() instanceof BatchNormalization b) {
            return "eps " + b.getEps() + " n " + b.getNOut() + " lockGammaBeta " + b.isLockGammaBeta() + " logStd " + b.isUseLogStd();
        }
        if (v.layer() instanceof DenseLayer d) {
            return d.getNIn() + "->" + d.getNOut() + " " + d.getActivationFn() + " bias " + d.hasBias();
        }
        if (v.layer() instanceof ActivationLayer a) {
            return a.getActivationFn().toString();
        }
        if (v.graphVertex() instanceof PreprocessorVertex p) {
            return p.getPreProcessor().getClass().getSimpleName();
        }
        if (v.graphVertex() instanceof ElementWiseVertex e) {
            return e.getOp().toString();
        }
        return "";
    }

    @ParameterizedTest
    @CsvSource({"vgg19_small.zip, vgg19, 32, 64", "vgg16_small.zip, vgg16, 32, 64", "resnet50_v3_small.zip, resnet50, 16, 224"})
    void architectureIsTheFixturesAtItsWidths(String fixture, String model, int divisor, int size) throws Exception {
        Path file = LegacyFilesMatchDl4jTest.fixture(fixture);
        ComputationGraphConfiguration written = ComputationGraphConfiguration.fromJson(ModelZip.configurationJson(file));
        ComputationGraphConfiguration ours = model.equals("resnet50") ? ZooArchitectures.resnet50(divisor, size)
                : ZooArchitectures.vgg(model.equals("vgg19") ? 19 : 16, divisor, size);
        List<String> expected = describe(written, size);
        List<String> actual = describe(ours, size);
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            assertEquals(expected.get(i), actual.get(i), "vertex " + i);
        }
        assertEquals(expected.size(), actual.size());
    }

    @ParameterizedTest
    @CsvSource({"vgg19, 143667240", "vgg16, 138357544", "resnet50, 25636712"})
    void fullSizeHasTheRealFilesParameterCount(String model, long params) {
        ComputationGraphConfiguration conf = ZooArchitectures.of(model);
        long n = conf.getVertices().values().stream().mapToLong(v -> v.numParams(true)).sum();
        assertEquals(params, n);
    }

    @org.junit.jupiter.api.Test
    void resnet50StagesAre55282814And7At224() {
        GraphSpec spec = GraphSpec.of(ZooArchitectures.of("resnet50"), InputType.convolutional(224, 224, 3));
        String[] vertex = {"conv1", "max_pooling2d_1", "activation_10", "activation_22", "activation_40", "activation_49", "avg_pool"};
        long[][] shape = {{64, 112, 112}, {64, 55, 55}, {256, 55, 55}, {512, 28, 28}, {1024, 14, 14}, {2048, 7, 7}, {2048, 1, 1}};
        for (int i = 0; i < vertex.length; i++) {
            InputType.InputTypeConvolutional t = (InputType.InputTypeConvolutional) spec.vertex(vertex[i]).outputType();
            assertArrayEquals(shape[i], new long[] {t.getChannels(), t.getHeight(), t.getWidth()}, vertex[i]);
        }
    }
}
