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
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        return new VisionModel(name, type -> GraphSpec.of(conf, type), new LoadedWeights(net, name),
                Preprocessing.UNIT, new int[] {3, 32, 32}, Map.of(), name);
    }
}
