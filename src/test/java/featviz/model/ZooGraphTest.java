package featviz.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import featviz.UsageException;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The zoo architectures (the pretrained files' own, {@link ZooArchitectures}): Keras layer names with random
 * weights, forward passes equal to DL4J's, and input gradients equal to finite differences (VGG19 to
 * block5_conv4; ResNet50 through BatchNorm, projection shortcuts and residual adds), in double precision on
 * small images.
 */
class ZooGraphTest {

    static VisionModel randomZoo(String name) {
        return new ModelLoader(null).load(name, ModelLoader.WeightsChoice.RANDOM, null, 1);
    }

    @Test
    void randomZooGraphsAreThePretrainedFilesArchitecture() {
        VisionModel vgg = randomZoo("vgg19");
        List<LayerInfo> layers = vgg.layers(224, 224);
        assertEquals("block1_conv1", layers.get(0).name());
        LayerInfo b5c4 = layers.stream().filter(l -> l.name().equals("block5_conv4")).findFirst().orElseThrow();
        assertArrayEquals(new long[] {512, 14, 14}, b5c4.shape());
        assertTrue(b5c4.target());
        assertEquals("block5_conv4", vgg.resolve("block5_conv4"));
        assertEquals(List.of("flatten", "fc1", "fc2", "predictions"),
                layers.subList(layers.size() - 4, layers.size()).stream().map(LayerInfo::name).toList());
        UsageException e = assertThrows(UsageException.class, () -> vgg.resolve("block5_conv5"));
        assertTrue(e.getMessage().contains("block5_conv4"), e.getMessage());

        VisionModel vgg16 = randomZoo("vgg16");
        assertArrayEquals(new long[] {512, 14, 14}, vgg16.outputShape(vgg16.resolve("block5_conv3"), 224, 224));
        assertThrows(UsageException.class, () -> vgg16.resolve("block5_conv4"));

        VisionModel resnet = randomZoo("resnet50");
        assertEquals("conv1", resnet.resolve("conv1"));
        assertEquals("add_16", resnet.resolve("add_16"));
        assertArrayEquals(new long[] {256, 55, 55}, resnet.outputShape(resnet.resolve("activation_10"), 224, 224));
        assertArrayEquals(new long[] {2048, 7, 7}, resnet.outputShape(resnet.resolve("activation_49"), 224, 224));
        assertArrayEquals(new long[] {1000}, resnet.outputShape(resnet.resolve("fc1000"), 224, 224));
        List<String> names = resnet.layers(224, 224).stream().map(LayerInfo::name).toList();
        assertEquals(175, names.size());
        assertTrue(names.containsAll(List.of("conv1", "bn_conv1", "activation_1", "max_pooling2d_1", "add_1",
                "activation_4", "bn5c_branch2c", "avg_pool", "flatten_1", "fc1000")), names.toString());
    }

    @Test
    void vgg19ForwardEqualsDl4jAndGradientEqualsFiniteDifferences() {
        ComputationGraph graph = new ComputationGraph(ZooArchitectures.vgg(19, 4, 32));
        graph.init();
        graph = graph.convertDataType(DataType.DOUBLE);
        ZooModel zoo = ZooModel.find("vgg19");
        ComputationGraph g = graph;
        VisionModel model = new VisionModel("vgg19", type -> GraphSpec.of(g.getConfiguration(), type),
                new LoadedWeights(graph, "dl4j init"), Preprocessing.CAFFE, zoo.inputShape(), Map.of(), "dl4j");
        String vertex = model.resolve("block5_conv4");
        ImageNetwork net = model.network(List.of(vertex), DataType.DOUBLE, 32, 32);
        INDArray image = GradientCheck.uniform(DataType.DOUBLE, 3, 1, 3, 32, 32);

        INDArray expected = graph.feedForward(Preprocessing.CAFFE.forward(image, 3), false).get(vertex);
        INDArray actual = net.forward(image).get(vertex);
        assertTrue(expected.sub(actual).amaxNumber().doubleValue() <= 1e-9 * expected.amaxNumber().doubleValue());

        checkGradient(net, vertex, image, 20);
    }

    @Test
    void resnet50GradientThroughBatchNormAndResidualAddsEqualsFiniteDifferences() {
        // Widths / 4 keep it fast; the architecture's init is ReLU-scaled (DL4J's default blows ResNet50 up).
        ComputationGraph graph = new ComputationGraph(ZooArchitectures.resnet50(4, 224));
        graph.init();
        graph = graph.convertDataType(DataType.DOUBLE);
        // Running statistics away from the identity, as after training.
        org.nd4j.linalg.api.rng.Random rng = Nd4j.getRandomFactory().getNewRandomInstance(5);
        for (var layer : graph.getLayers()) {
            if (layer.paramTable().containsKey("gamma")) {
                layer.getParam("gamma").assign(Nd4j.rand(rng, layer.getParam("gamma").shape()).addi(0.5));
                layer.getParam("beta").assign(Nd4j.rand(rng, layer.getParam("beta").shape()).subi(0.5).muli(0.2));
                layer.getParam("mean").assign(Nd4j.rand(rng, layer.getParam("mean").shape()).subi(0.5).muli(0.2));
                layer.getParam("var").assign(Nd4j.rand(rng, layer.getParam("var").shape()).addi(0.25));
            }
        }
        ZooModel zoo = ZooModel.find("resnet50");
        ComputationGraph g = graph;
        VisionModel model = new VisionModel("resnet50", type -> GraphSpec.of(g.getConfiguration(), type),
                new LoadedWeights(graph, "dl4j init"), Preprocessing.CAFFE, zoo.inputShape(), Map.of(), "dl4j");
        String vertex = model.resolve("activation_25"); // res4a's output: projection shortcut + add + ReLU
        ImageNetwork net = model.network(List.of(vertex), DataType.DOUBLE, 96, 96);
        INDArray image = GradientCheck.uniform(DataType.DOUBLE, 4, 1, 3, 96, 96);

        INDArray expected = graph.feedForward(Preprocessing.CAFFE.forward(image, 3), false).get(vertex);
        INDArray actual = net.forward(image).get(vertex);
        double scale = expected.amaxNumber().doubleValue();
        assertTrue(scale > 0 && expected.sub(actual).amaxNumber().doubleValue() <= 1e-9 * scale);

        checkGradient(net, vertex, image, 12);
    }

    /** Objective: sum(R * activation) for a fixed random R; checked along a random direction and at sampled pixels. */
    static void checkGradient(ImageNetwork net, String vertex, INDArray image, int samples) {
        INDArray act = net.forward(image).get(vertex);
        INDArray probe = GradientCheck.uniform(DataType.DOUBLE, 9, act.shape()).subi(0.5);
        INDArray grad = net.backward(Map.of(vertex, probe));
        java.util.function.Function<INDArray, Double> f =
                x -> net.forward(x).get(vertex).mul(probe).sumNumber().doubleValue();
        double directional = GradientCheck.directionalError(f, image, grad, 2);
        assertTrue(directional < 1e-6, "directional derivative error " + directional);
        double pointwise = GradientCheck.maxRelativeError(f, image, grad, samples, 3);
        assertTrue(pointwise < 1e-4, "max relative error " + pointwise);
    }
}
