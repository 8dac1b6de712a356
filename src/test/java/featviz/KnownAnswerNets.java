package featviz;

import featviz.model.GraphSpec;
import featviz.model.LoadedWeights;
import featviz.model.Preprocessing;
import featviz.model.VisionModel;
import java.util.Map;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Networks whose weights are set by hand so that the right picture is known in advance. */
public final class KnownAnswerNets {
    private KnownAnswerNets() {
    }

    /**
     * One 1x1 convolution named "colour" with three linear channels: 0 fires on red (R - G/2 - B/2),
     * 1 on green, 2 on blue.
     */
    public static MultiLayerNetwork colourNet() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(1, 1).name("colour").nIn(3).nOut(3)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(32, 32, 3))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        float[][] w = {{1, -0.5f, -0.5f}, {-0.5f, 1, -0.5f}, {-0.5f, -0.5f, 1}};
        net.getLayer(0).setParam("W", Nd4j.create(w).reshape(3, 3, 1, 1));
        net.getLayer(0).setParam("b", Nd4j.zeros(DataType.FLOAT, 1, 3));
        return net;
    }

    /**
     * A 3x3 convolution named "edges" on the grey level (R+G+B)/3 followed by a ReLU: channel 0 responds to
     * vertical edges (a horizontal derivative), channel 1 to horizontal edges (a vertical derivative).
     */
    public static MultiLayerNetwork edgeNet() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("edges").nIn(3).nOut(2)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                .setInputType(InputType.convolutional(32, 32, 3))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        float[][] dx = {{-1, 0, 1}, {-1, 0, 1}, {-1, 0, 1}};
        float[] w = new float[2 * 3 * 3 * 3];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    w[((0 * 3 + c) * 3 + i) * 3 + j] = dx[i][j] / 3f;   // vertical edges: d/dx
                    w[((1 * 3 + c) * 3 + i) * 3 + j] = dx[j][i] / 3f;   // horizontal edges: d/dy
                }
            }
        }
        net.getLayer(0).setParam("W", Nd4j.create(w, new long[] {2, 3, 3, 3}, 'c'));
        net.getLayer(0).setParam("b", Nd4j.zeros(DataType.FLOAT, 1, 2));
        return net;
    }

    /**
     * A grey (1-channel) network whose one unit "centre" is a bright-centre detector on a {@code size} x
     * {@code size} image: one convolution as large as the image (so one output position), weights +1/n inside
     * the centre disc of radius size/4 and -1/m outside it (n, m their pixel counts). Its maximum is a white
     * disc on black.
     */
    public static MultiLayerNetwork centreNet(int size) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(size, size).name("centre").nIn(1).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(size, size, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        float[] w = new float[size * size];
        int inside = 0;
        for (int i = 0; i < w.length; i++) {
            inside += isCentre(i / size, i % size, size) ? 1 : 0;
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = isCentre(i / size, i % size, size) ? 1f / inside : -1f / (w.length - inside);
        }
        net.getLayer(0).setParam("W", Nd4j.create(w, new long[] {1, 1, size, size}, 'c'));
        net.getLayer(0).setParam("b", Nd4j.zeros(DataType.FLOAT, 1, 1));
        return net;
    }

    /** Whether pixel (y, x) of a size x size image is in the centre disc of {@link #centreNet}. */
    public static boolean isCentre(int y, int x, int size) {
        double c = (size - 1) / 2.0;
        return Math.hypot(y - c, x - c) <= size / 4.0;
    }

    /**
     * An RGB network whose one unit "corner" sees the top-left quarter of a {@code size} x {@code size} image only:
     * one convolution as large as the image (one output position), weights 1/n on every channel of the pixels
     * with y and x below size/2, zero elsewhere. Its gradient with respect to the image lives in that quarter.
     */
    public static MultiLayerNetwork cornerNet(int size) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(size, size).name("corner").nIn(3).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(size, size, 3))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        float[] w = new float[3 * size * size];
        int half = size / 2;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < half; y++) {
                for (int x = 0; x < half; x++) {
                    w[(c * size + y) * size + x] = 1f / (3 * half * half);
                }
            }
        }
        net.getLayer(0).setParam("W", Nd4j.create(w, new long[] {1, 3, size, size}, 'c'));
        net.getLayer(0).setParam("b", Nd4j.zeros(DataType.FLOAT, 1, 1));
        return net;
    }

    /**
     * A unit no grey start can wake: a 1x1 convolution "dead" (ReLU) on RGB with weights 1, 1, 1 and bias -2, so
     * it fires only where R + G + B > 2; at mid-grey (1.5) its ReLU blocks every gradient. Channel 1 has weights
     * 1, 1, 1 and bias 0: alive everywhere on a non-black image.
     */
    public static MultiLayerNetwork deadNet(DataType dt) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(dt).list()
                .layer(new ConvolutionLayer.Builder(1, 1).name("dead").nIn(3).nOut(2)
                        .activation(Activation.RELU).build())
                .setInputType(InputType.convolutional(8, 8, 3))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.getLayer(0).setParam("W", Nd4j.ones(dt, 2, 3, 1, 1));
        net.getLayer(0).setParam("b", Nd4j.create(new double[][] {{-2, 0}}).castTo(dt));
        return net;
    }

    /**
     * A 4-channel network: one 1x1 convolution "mix" whose channel k fires on input channel k and against the
     * other three (1 on k, -1/3 elsewhere), like {@link #colourNet} with a fourth channel.
     */
    public static MultiLayerNetwork fourChannelNet() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(1, 1).name("mix").nIn(4).nOut(4)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(16, 16, 4))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        float[] w = new float[16];
        for (int k = 0; k < 4; k++) {
            for (int c = 0; c < 4; c++) {
                w[k * 4 + c] = k == c ? 1f : -1f / 3;
            }
        }
        net.getLayer(0).setParam("W", Nd4j.create(w, new long[] {4, 4, 1, 1}, 'c'));
        net.getLayer(0).setParam("b", Nd4j.zeros(DataType.FLOAT, 1, 4));
        return net;
    }

    /**
     * A classifier: a 1x1 convolution "colour" (ReLU) on 4x4 images, then a softmax output layer "scores" of 2
     * classes, seeded weights. Its probabilities are DL4J's {@code output}; the layer "scores" has no positions.
     */
    public static MultiLayerNetwork colourClassifier() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(1, 1).name("colour").nIn(3).nOut(3).activation(Activation.RELU).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().name("scores").nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(4, 4, 3))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    public static VisionModel model(MultiLayerNetwork net, String name) {
        return model(net, name, 3, 32);
    }

    public static VisionModel model(MultiLayerNetwork net, String name, int channels, int size) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        return new VisionModel(name, type -> GraphSpec.of(conf, type), new LoadedWeights(net, name),
                Preprocessing.UNIT, new int[] {channels, size, size}, Map.of(), name);
    }
}
