package featviz.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;

/**
 * The zoo's architectures exactly as their pretrained files hold them (names, layer classes, geometry), so that
 * {@code --weights random} builds what users get with the ImageNet weights. Sources and the reasoning are in
 * src/fixtures/README.md; the fixture tests hold these against files written by the old DL4J releases.
 *
 * <ul>
 *   <li>VGG16/VGG19 (DL4J 0.8.x import of Keras 1.1.2): {@code input_1}, {@code blockB_convN} 3x3 Same ReLU,
 *       {@code blockB_pool} 2x2/2 max (Truncate), {@code flatten} (CnnToFeedForwardPreProcessor), dense
 *       {@code fc1}, {@code fc2} (ReLU) and {@code predictions} (softmax).</li>
 *   <li>ResNet50 v3 (Keras 2.0/2.1 via DL4J 1.0.0-beta): {@code conv1} 7x7/2 Same, {@code bn_conv1},
 *       {@code activation_1}, {@code max_pooling2d_1} 3x3/2 (Truncate: 112 -> 55 at 224), bottleneck blocks
 *       {@code res2a_branch2a}... with the stride on the first 1x1 convolutions of stages 3-5, separate
 *       ActivationLayers {@code activation_N} and adds {@code add_N}, {@code avg_pool} 7x7 average,
 *       {@code flatten_1} (channels-last flatten), {@code fc1000} (softmax). BatchNorm eps 1e-3.</li>
 * </ul>
 *
 * Vertices are added in the order of the Keras model's layer list, as DL4J's import added them. DL4J's own
 * init (if a caller initialises a graph from these) is ReLU-scaled: its default blows ResNet50 up.
 */
public final class ZooArchitectures {
    /**
     * DL4J's own initialisation of these configurations (tests compare featviz with DL4J on them) is seeded, so a
     * gradient check sees the same weights every run: unseeded, DL4J seeds from the clock, and a finite difference
     * that happened to straddle a ReLU kink failed one run in a few (seed 20180510: directional error 9e-4 with a
     * step of 1e-6, under 1e-6 with a step of 1e-8, so a kink within the step, not a wrong gradient; seeds 1-4 all
     * pass). featviz's --weights random does not use it.
     */
    static final long SEED = 1;

    private ZooArchitectures() {
    }

    /** The full-size architecture of a zoo model (224x224 input, 1000 classes). */
    public static ComputationGraphConfiguration of(String name) {
        return switch (name) {
            case "vgg19" -> vgg(19, 1, 224);
            case "vgg16" -> vgg(16, 1, 224);
            case "resnet50" -> resnet50(1, 224);
            default -> throw new IllegalArgumentException("no zoo architecture " + name);
        };
    }

    /**
     * VGG16 or VGG19 with every width (channels, dense units, the 1000 classes) divided by {@code divisor}, for
     * square {@code inputSize} images (a multiple of 32: the flatten's size is fixed by it).
     */
    public static ComputationGraphConfiguration vgg(int depth, int divisor, int inputSize) {
        int[] convs = depth == 19 ? new int[] {2, 2, 4, 4, 4} : new int[] {2, 2, 3, 3, 3};
        if (depth != 16 && depth != 19) {
            throw new IllegalArgumentException("VGG" + depth);
        }
        int[] widths = {64, 128, 256, 512, 512};
        var g = new NeuralNetConfiguration.Builder().seed(SEED).weightInit(WeightInit.RELU).graphBuilder().addInputs("input_1");
        String previous = "input_1";
        long channels = 3;
        int spatial = inputSize;
        for (int b = 0; b < 5; b++) {
            for (int c = 1; c <= convs[b]; c++) {
                String name = "block" + (b + 1) + "_conv" + c;
                g.addLayer(name, new ConvolutionLayer.Builder(3, 3).nIn(channels).nOut(widths[b] / divisor).stride(1, 1)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build(), previous);
                channels = widths[b] / divisor;
                previous = name;
            }
            String pool = "block" + (b + 1) + "_pool";
            g.addLayer(pool, new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX, new int[] {2, 2}, new int[] {2, 2})
                    .convolutionMode(ConvolutionMode.Truncate).build(), previous);
            previous = pool;
            spatial /= 2;
        }
        g.addVertex("flatten", new PreprocessorVertex(new CnnToFeedForwardPreProcessor(spatial, spatial, channels)), previous);
        long units = 4096 / divisor;
        g.addLayer("fc1", new DenseLayer.Builder().nIn(spatial * spatial * channels).nOut(units).activation(Activation.RELU).build(), "flatten");
        g.addLayer("fc2", new DenseLayer.Builder().nIn(units).nOut(units).activation(Activation.RELU).build(), "fc1");
        g.addLayer("predictions", new DenseLayer.Builder().nIn(units).nOut(1000 / divisor).activation(Activation.SOFTMAX).build(), "fc2");
        return g.setOutputs("predictions").build();
    }

    /** ResNet50 with every width divided by {@code divisor}; {@code inputSize} 224 gives avg_pool its 7x7. */
    public static ComputationGraphConfiguration resnet50(int divisor, int inputSize) {
        return new ResNetBuilder(divisor).build();
    }

    private static final class ResNetBuilder {
        private final ComputationGraphConfiguration.GraphBuilder g =
                new NeuralNetConfiguration.Builder().seed(SEED).weightInit(WeightInit.RELU).graphBuilder().addInputs("input_1");
        private final int d;
        private int activations;
        private int adds;

        ResNetBuilder(int divisor) {
            this.d = divisor;
        }

        ComputationGraphConfiguration build() {
            String x = conv("conv1", "input_1", 3, 64 / d, 7, 2, ConvolutionMode.Same);
            x = relu(bn("bn_conv1", x, 64 / d));
            g.addLayer("max_pooling2d_1", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX, new int[] {3, 3}, new int[] {2, 2})
                    .convolutionMode(ConvolutionMode.Truncate).build(), x);
            x = "max_pooling2d_1";
            int[][] filters = {{64, 64, 256}, {128, 128, 512}, {256, 256, 1024}, {512, 512, 2048}};
            int[] blocks = {3, 4, 6, 3};
            long channels = 64 / d;
            for (int s = 0; s < 4; s++) {
                long[] f = {filters[s][0] / d, filters[s][1] / d, filters[s][2] / d};
                for (int b = 0; b < blocks[s]; b++) {
                    String block = (s + 2) + String.valueOf((char) ('a' + b));
                    x = b == 0 ? convBlock(x, block, channels, f, s == 0 ? 1 : 2) : identityBlock(x, block, channels, f);
                    channels = f[2];
                }
            }
            g.addLayer("avg_pool", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG, new int[] {7, 7}, new int[] {7, 7})
                    .convolutionMode(ConvolutionMode.Truncate).build(), x);
            g.addVertex("flatten_1", new PreprocessorVertex(new ChannelsLastFlatten(1, 1, channels)), "avg_pool");
            g.addLayer("fc1000", new DenseLayer.Builder().nIn(channels).nOut(1000 / d).activation(Activation.SOFTMAX).build(),
                    "flatten_1");
            return g.setOutputs("fc1000").build();
        }

        private String conv(String name, String in, long nIn, long nOut, int k, int stride, ConvolutionMode mode) {
            g.addLayer(name, new ConvolutionLayer.Builder(k, k).nIn(nIn).nOut(nOut).stride(stride, stride)
                    .convolutionMode(mode).activation(Activation.IDENTITY).build(), in);
            return name;
        }

        private String bn(String name, String in, long n) {
            g.addLayer(name, new BatchNormalization.Builder().nIn(n).nOut(n).eps(1e-3).decay(0.99).lockGammaBeta(false)
                    .useLogStd(false).build(), in); // the file's parameters: gamma, beta, mean, var
            return name;
        }

        private String relu(String in) {
            String name = "activation_" + (++activations);
            g.addLayer(name, new ActivationLayer.Builder().activation(Activation.RELU).build(), in);
            return name;
        }

        private String add(String a, String b) {
            String name = "add_" + (++adds);
            g.addVertex(name, new ElementWiseVertex(ElementWiseVertex.Op.Add), a, b);
            return name;
        }

        /** Keras's conv_block in the order of the Keras model's layer list (branch2c, branch1, their BNs, add). */
        private String convBlock(String in, String block, long nIn, long[] f, int stride) {
            String x = conv("res" + block + "_branch2a", in, nIn, f[0], 1, stride, ConvolutionMode.Truncate);
            x = relu(bn("bn" + block + "_branch2a", x, f[0]));
            x = conv("res" + block + "_branch2b", x, f[0], f[1], 3, 1, ConvolutionMode.Same);
            x = relu(bn("bn" + block + "_branch2b", x, f[1]));
            x = conv("res" + block + "_branch2c", x, f[1], f[2], 1, 1, ConvolutionMode.Truncate);
            String shortcut = conv("res" + block + "_branch1", in, nIn, f[2], 1, stride, ConvolutionMode.Truncate);
            x = bn("bn" + block + "_branch2c", x, f[2]);
            shortcut = bn("bn" + block + "_branch1", shortcut, f[2]);
            return relu(add(x, shortcut));
        }

        private String identityBlock(String in, String block, long nIn, long[] f) {
            String x = conv("res" + block + "_branch2a", in, nIn, f[0], 1, 1, ConvolutionMode.Truncate);
            x = relu(bn("bn" + block + "_branch2a", x, f[0]));
            x = conv("res" + block + "_branch2b", x, f[0], f[1], 3, 1, ConvolutionMode.Same);
            x = relu(bn("bn" + block + "_branch2b", x, f[1]));
            x = conv("res" + block + "_branch2c", x, f[1], f[2], 1, 1, ConvolutionMode.Truncate);
            x = bn("bn" + block + "_branch2c", x, f[2]);
            return relu(add(x, in));
        }
    }
}
