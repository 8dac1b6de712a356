package featviz.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SpaceToDepthLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Every CNN layer and vertex type users' DL4J files contain, each in a tiny network (a 3x3 tanh convolution
 * in front, so its input has signs and structure): featviz's forward pass equals DL4J M2.1's own inference
 * output (double precision), its input gradient equals central finite differences at every input
 * coordinate (double), and the float network featviz renders with agrees with both.
 */
class LayerCatalogueTest {
    static final int SIZE = 8;
    private static final List<String> REPORT = new ArrayList<>();

    /** A network: the vertices after the first convolution "c0", the last of them named "t" (the target). */
    record Case(String name, Consumer<ComputationGraphConfiguration.GraphBuilder> body) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case layer(String name, Layer layer) {
        return new Case(name, b -> b.addLayer("t", layer, "c0"));
    }

    static ConvolutionLayer.Builder conv(int k) {
        return new ConvolutionLayer.Builder(k, k).nOut(4).activation(Activation.IDENTITY);
    }

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        // Convolutions: modes, dilation, bias.
        c.add(layer("conv same stride 2 dilation 2 no bias", conv(3).stride(2, 2).dilation(2, 2).hasBias(false)
                .convolutionMode(ConvolutionMode.Same).build()));
        c.add(layer("conv truncate stride 2 dilation 2", conv(3).stride(2, 2).dilation(2, 2)
                .convolutionMode(ConvolutionMode.Truncate).activation(Activation.SIGMOID).build()));
        c.add(layer("conv strict 3x3", conv(3).convolutionMode(ConvolutionMode.Strict).activation(Activation.TANH).build()));
        c.add(layer("separable same x2 relu", new SeparableConvolution2D.Builder(3, 3).depthMultiplier(2).nOut(5)
                .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build()));
        c.add(layer("separable truncate stride 2 dilation 2 no bias", new SeparableConvolution2D.Builder(3, 3)
                .depthMultiplier(1).nOut(3).stride(2, 2).dilation(2, 2).hasBias(false)
                .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).build()));
        c.add(layer("separable padding 1 stride 2", new SeparableConvolution2D.Builder(3, 3).depthMultiplier(3).nOut(2)
                .stride(2, 2).padding(1, 1).convolutionMode(ConvolutionMode.Truncate).activation(Activation.TANH).build()));
        c.add(layer("depthwise same x2", new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(2)
                .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build()));
        c.add(layer("depthwise truncate stride 2 dilation 2 no bias", new DepthwiseConvolution2D.Builder(2, 2)
                .depthMultiplier(1).stride(2, 2).dilation(2, 2).hasBias(false)
                .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).build()));
        c.add(layer("deconv 3x3 stride 2 truncate", new Deconvolution2D.Builder(3, 3).nOut(3).stride(2, 2)
                .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).build()));
        c.add(layer("deconv 3x3 stride 2 same no bias", new Deconvolution2D.Builder(3, 3).nOut(3).stride(2, 2)
                .hasBias(false).convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build()));
        c.add(layer("deconv 4x4 stride 2 padding 1", new Deconvolution2D.Builder(4, 4).nOut(2).stride(2, 2)
                .padding(1, 1).convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).build()));
        c.add(layer("deconv 3x3 dilation 2", new Deconvolution2D.Builder(3, 3).nOut(2).dilation(2, 2)
                .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).build()));
        // Resampling and reshaping layers.
        c.add(layer("upsampling 2", new Upsampling2D.Builder(2).build()));
        c.add(layer("upsampling 2x3", new Upsampling2D.Builder().size(new int[] {2, 3}).build()));
        c.add(layer("cropping 1,0,2,1", new Cropping2D(1, 0, 2, 1)));
        c.add(layer("zero padding 1,2,0,3", new ZeroPaddingLayer.Builder(1, 2, 0, 3).build()));
        c.add(layer("space to depth 2", new SpaceToDepthLayer.Builder(2, SpaceToDepthLayer.DataFormat.NCHW).build()));
        c.add(layer("lrn default", new LocalResponseNormalization.Builder().build()));
        c.add(layer("lrn k1 n3 alpha 0.5", new LocalResponseNormalization.Builder(1, 3, 0.5, 0.75).build()));
        c.add(layer("dropout layer", new DropoutLayer.Builder(0.5).build()));
        c.add(layer("dropout inside a conv", conv(3).dropOut(0.5).activation(Activation.TANH).build()));
        // Pooling.
        c.add(layer("max pool 2x2/2", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build()));
        c.add(layer("max pool 3x3/2 same", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2)
                .convolutionMode(ConvolutionMode.Same).build()));
        c.add(layer("max pool 2x2 dilation 2", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2)
                .stride(1, 1).dilation(2, 2).build()));
        c.add(layer("avg pool 3x3/2 padding 1", new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(3, 3)
                .stride(2, 2).padding(1, 1).build()));
        c.add(layer("avg pool 3x3/2 same", new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(3, 3)
                .stride(2, 2).convolutionMode(ConvolutionMode.Same).build()));
        c.add(layer("pnorm pool p2 2x2/2", new SubsamplingLayer.Builder(PoolingType.PNORM).pnorm(2).kernelSize(2, 2)
                .stride(2, 2).build()));
        c.add(layer("pnorm pool p3 3x3/1", new SubsamplingLayer.Builder(PoolingType.PNORM).pnorm(3).kernelSize(3, 3)
                .stride(1, 1).build()));
        c.add(layer("pnorm pool p2 3x3/2 same", new SubsamplingLayer.Builder(PoolingType.PNORM).pnorm(2).kernelSize(3, 3)
                .stride(2, 2).convolutionMode(ConvolutionMode.Same).build()));
        for (PoolingType t : PoolingType.values()) {
            c.add(layer("global " + t, new GlobalPoolingLayer.Builder(t).pnorm(3).build()));
        }
        c.add(layer("global avg not collapsed", new GlobalPoolingLayer.Builder(PoolingType.AVG)
                .collapseDimensions(false).build()));
        // Dense heads.
        c.add(new Case("batchnorm after dense", b -> b
                .addLayer("d", new DenseLayer.Builder().nOut(6).activation(Activation.IDENTITY).build(), "c0")
                .addLayer("t", new BatchNormalization.Builder().build(), "d")));
        c.add(new Case("preprocessor vertex then dense", b -> b
                .addVertex("flat", new PreprocessorVertex(new CnnToFeedForwardPreProcessor(SIZE, SIZE, 4)), "c0")
                .addLayer("t", new DenseLayer.Builder().nIn(SIZE * SIZE * 4).nOut(5).activation(Activation.TANH).build(), "flat")));
        c.add(new Case("softmax activation layer after dense", b -> b
                .addLayer("d", new DenseLayer.Builder().nOut(6).activation(Activation.IDENTITY).build(), "c0")
                .addLayer("t", new ActivationLayer.Builder().activation(Activation.SOFTMAX).build(), "d")));
        c.add(new Case("l2 normalize after dense", b -> b
                .addLayer("d", new DenseLayer.Builder().nOut(6).activation(Activation.IDENTITY).build(), "c0")
                .addVertex("t", new L2NormalizeVertex(new int[] {1}, 1e-8), "d")));
        // Activation layers.
        for (Activation a : new Activation[] {Activation.SIGMOID, Activation.TANH, Activation.LEAKYRELU,
            Activation.ELU, Activation.SELU, Activation.SOFTPLUS, Activation.SOFTSIGN, Activation.SWISH,
            Activation.HARDSIGMOID, Activation.HARDTANH, Activation.CUBE, Activation.RELU6, Activation.RRELU,
            Activation.GELU, Activation.MISH, Activation.RATIONALTANH, Activation.RECTIFIEDTANH,
            Activation.THRESHOLDEDRELU, Activation.RELU, Activation.IDENTITY}) {
            // Scaled up first, so the thresholds and saturations of the functions are crossed.
            c.add(new Case("activation " + a, b -> b.addVertex("s", new ScaleVertex(3), "c0")
                    .addLayer("t", new ActivationLayer.Builder().activation(a).build(), "s")));
        }
        // Vertices.
        c.add(new Case("merge", b -> b.addLayer("c1", conv(1).nOut(2).build(), "c0").addVertex("t", new MergeVertex(), "c0", "c1")));
        for (ElementWiseVertex.Op op : ElementWiseVertex.Op.values()) {
            boolean two = op == ElementWiseVertex.Op.Subtract;
            c.add(new Case("element-wise " + op, b -> {
                b.addLayer("c1", conv(1).build(), "c0");
                if (two) {
                    b.addVertex("t", new ElementWiseVertex(op), "c0", "c1");
                } else {
                    b.addLayer("c2", conv(3).convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build(), "c0")
                            .addVertex("t", new ElementWiseVertex(op), "c0", "c1", "c2");
                }
            }));
        }
        c.add(new Case("scale", b -> b.addVertex("t", new ScaleVertex(-2.5), "c0")));
        c.add(new Case("shift", b -> b.addVertex("t", new ShiftVertex(0.7), "c0")));
        c.add(new Case("l2 normalize", b -> b.addVertex("t", new L2NormalizeVertex(), "c0")));
        // Transfer-learning wrappers, in a graph (MultiLayerNetworks: frozenLayersInALayerList).
        c.add(layer("frozen conv", new FrozenLayer(conv(3).stride(2, 2).activation(Activation.ELU).build())));
        c.add(layer("frozen with backprop separable", new FrozenLayerWithBackprop(new SeparableConvolution2D.Builder(3, 3)
                .nOut(3).convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build())));
        c.add(new Case("frozen batchnorm and dense", b -> b
                .addLayer("bn", new FrozenLayer(new BatchNormalization.Builder().build()), "c0")
                .addLayer("t", new FrozenLayerWithBackprop(new DenseLayer.Builder().nOut(5)
                        .activation(Activation.SIGMOID).build()), "bn")));
        c.add(layer("cnn loss layer", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                .activation(Activation.SIGMOID).build()));
        return c.stream();
    }

    static ComputationGraph graph(Case c) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder()
                .seed(42).dataType(DataType.DOUBLE).weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(SIZE, SIZE, 3))
                .addLayer("c0", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.TANH).build(), "in");
        c.body().accept(b);
        ComputationGraph graph = new ComputationGraph(b.setOutputs("t").build());
        graph.init();
        randomiseNonWeights(graph.getLayers(), 42);
        return graph;
    }

    /** DL4J starts biases at 0 and BatchNorm at the identity: random values there, so they are tested too. */
    static void randomiseNonWeights(org.deeplearning4j.nn.api.Layer[] layers, long seed) {
        long s = seed;
        for (org.deeplearning4j.nn.api.Layer layer : layers) {
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                INDArray u = GradientCheck.uniform(p.getValue().dataType(), s++, p.getValue().shape());
                switch (p.getKey()) {
                    case "b", "beta", "mean" -> p.getValue().assign(u.subi(0.5));
                    case "gamma", "var" -> p.getValue().assign(u.addi(0.5));
                    case "log10stdev" -> p.getValue().assign(u.subi(0.5).muli(0.6));
                    default -> { }
                }
            }
        }
    }

    static Network network(ComputationGraph graph, DataType dt) {
        GraphSpec spec = GraphSpec.of(graph.getConfiguration(), InputType.convolutional(SIZE, SIZE, 3));
        return NetworkBuilder.build(spec, new LoadedWeights(graph, "test"), List.of("t"), dt);
    }

    static double relativeDifference(INDArray expected, INDArray actual) {
        INDArray e = expected.castTo(DataType.DOUBLE);
        return e.sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue() / Math.max(1e-12, e.amaxNumber().doubleValue());
    }

    /**
     * DL4J's inference output at "t". With double as ND4J's default type: M2.1's L2NormalizeVertex makes its
     * 4-D output array in the default type, and fails on a double network otherwise.
     */
    static INDArray dl4jOutput(ComputationGraph graph, INDArray x) {
        DataType before = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            return graph.feedForward(x, false).get("t");
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardEqualsDl4jAndGradientEqualsFiniteDifferences(Case c) {
        ComputationGraph graph = graph(c);
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, 7, 2, 3, SIZE, SIZE).subi(0.5).muli(4);
        INDArray expected = dl4jOutput(graph, x);

        Network net = network(graph, DataType.DOUBLE);
        INDArray actual = net.forward(x, List.of("t")).get("t").dup();
        net.clear();
        assertArrayEquals(expected.shape(), actual.shape(), c.name());
        double forward = relativeDifference(expected, actual);

        INDArray one = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)).dup();
        INDArray probe = GradientCheck.uniform(DataType.DOUBLE, 11, expected.shape()).subi(0.5)
                .get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)).dup();
        net.forward(one, List.of("t"));
        INDArray grad = net.backward(Map.of("t", probe.dup()));
        net.clear();
        long[] probeShape = probe.shape().clone();
        double gradient = GradientCheck.maxRelativeErrorBatched(batch -> {
            INDArray act = net.forward(batch, List.of("t")).get("t");
            long n = batch.size(0);
            probeShape[0] = n;
            INDArray r = act.mul(probe.broadcast(probeShape)).reshape(n, -1).sum(1);
            net.clear();
            return r;
        }, one, grad);

        // The float network featviz renders with: forward and input gradient close to the double ones.
        Network floats = network(graph, DataType.FLOAT);
        INDArray actualFloat = floats.forward(x.castTo(DataType.FLOAT), List.of("t")).get("t").dup();
        floats.clear();
        floats.forward(one.castTo(DataType.FLOAT), List.of("t"));
        INDArray gradFloat = floats.backward(Map.of("t", probe.castTo(DataType.FLOAT)));
        floats.clear();
        double forwardFloat = relativeDifference(expected, actualFloat);
        double gradientFloat = relativeDifference(grad, gradFloat);

        String line = String.format(java.util.Locale.ROOT, "%-48s forward %.1e  gradient %.1e  float forward %.1e  float gradient %.1e",
                c.name(), forward, gradient, forwardFloat, gradientFloat);
        REPORT.add(line);
        assertTrue(forward < 1e-10, line);
        assertTrue(gradient < 1e-4, line); // rounding noise on the smallest gradients, as in NetworkGradientTest
        assertTrue(forwardFloat < 1e-4 && gradientFloat < 1e-3, line);
    }

    /**
     * The same networks saved by ModelSerializer and loaded as users load them (configuration JSON and
     * coefficients.bin, read by ZipWeights with each layer type's parameter layout): the same output.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void loadedFromAModelZipTheyComputeTheSame(Case c, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        ComputationGraph graph = graph(c);
        java.nio.file.Path zip = dir.resolve("model.zip");
        org.deeplearning4j.util.ModelSerializer.writeModel(graph, zip.toFile(), false);
        VisionModel model = new ModelLoader(null).load(zip.toString(), null, null, 0);
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, 7, 2, 3, SIZE, SIZE).subi(0.5).muli(4);
        Network net = model.network(List.of("t"), DataType.DOUBLE, SIZE, SIZE).network();
        double err = relativeDifference(dl4jOutput(graph, x), net.forward(x, List.of("t")).get("t"));
        net.clear();
        assertTrue(err < 1e-10, c.name() + ": " + err);
    }

    /** Transfer-learned MultiLayerNetworks wrap layers too: a frozen convolution, BatchNorm and dense head. */
    @org.junit.jupiter.api.Test
    void frozenLayersInALayerList() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE)
                .weightInit(WeightInit.XAVIER).list()
                .layer(new FrozenLayer(new ConvolutionLayer.Builder(3, 3).nOut(4).stride(2, 2)
                        .activation(Activation.TANH).build()))
                .layer(new FrozenLayerWithBackprop(new BatchNormalization.Builder().build()))
                .layer(new FrozenLayer(new DenseLayer.Builder().nOut(5).activation(Activation.SIGMOID).build()))
                .setInputType(InputType.convolutional(SIZE, SIZE, 3))
                .build();
        MultiLayerNetwork mln = new MultiLayerNetwork(conf);
        mln.init();
        randomiseNonWeights(mln.getLayers(), 5);
        GraphSpec spec = GraphSpec.of(mln.getLayerWiseConfigurations(), InputType.convolutional(SIZE, SIZE, 3));
        String last = spec.vertices().get(3).name();
        Network net = NetworkBuilder.build(spec, new LoadedWeights(mln, "test"), List.of(last), DataType.DOUBLE);
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, 9, 1, 3, SIZE, SIZE);
        double forward = relativeDifference(mln.output(x, false), net.forward(x, List.of(last)).get(last));
        net.clear();
        INDArray probe = GradientCheck.uniform(DataType.DOUBLE, 10, 1, 5).subi(0.5);
        net.forward(x, List.of(last));
        INDArray grad = net.backward(Map.of(last, probe.dup()));
        net.clear();
        double gradient = GradientCheck.maxRelativeErrorBatched(batch -> {
            INDArray r = net.forward(batch, List.of(last)).get(last).mmul(probe.transpose());
            net.clear();
            return r;
        }, x, grad);
        String line = String.format(java.util.Locale.ROOT, "%-48s forward %.1e  gradient %.1e",
                "frozen layers in a MultiLayerNetwork", forward, gradient);
        REPORT.add(line);
        assertTrue(forward < 1e-10 && gradient < 1e-4, line);
    }

    @AfterAll
    static void printReport() {
        REPORT.forEach(System.out::println);
    }
}
