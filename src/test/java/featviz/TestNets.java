package featviz;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small DL4J networks built in tests: every layer type featviz differentiates, in a few hundred weights. */
public final class TestNets {
    private TestNets() {
    }

    /**
     * A residual CNN with batch norm (random running statistics), same- and truncate-mode convolutions,
     * stride 2, zero padding, max and average pooling, a merge, a dense layer and a softmax output.
     */
    public static ComputationGraph residualGraph(long seed, DataType dt, int size) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(dt).weightInit(WeightInit.RELU)
                .convolutionMode(ConvolutionMode.Truncate)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(size, size, 3))
                .addLayer("pad", new ZeroPaddingLayer.Builder(1, 1).build(), "in")
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(6)
                        .activation(Activation.IDENTITY).build(), "pad")
                .addLayer("bn1", new BatchNormalization.Builder().build(), "conv1")
                .addLayer("act1", new ActivationLayer.Builder().activation(Activation.RELU).build(), "bn1")
                .addLayer("conv2a", new ConvolutionLayer.Builder(3, 3).nOut(6).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build(), "act1")
                .addLayer("conv2b", new ConvolutionLayer.Builder(1, 1).nOut(6).hasBias(false)
                        .activation(Activation.IDENTITY).build(), "conv2a")
                .addLayer("bn2", new BatchNormalization.Builder().build(), "conv2b")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "bn2", "act1")
                .addLayer("act2", new ActivationLayer.Builder().activation(Activation.RELU).build(), "add")
                .addLayer("maxpool", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX, new int[] {2, 2}, new int[] {2, 2}).build(), "act2")
                .addLayer("avgpool", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG, new int[] {3, 3}, new int[] {1, 1})
                        .padding(1, 1).build(), "act2")
                .addLayer("conv3", new ConvolutionLayer.Builder(3, 3).stride(2, 2).padding(1, 1).nOut(4)
                        .activation(Activation.TANH).build(), "avgpool")
                .addVertex("merge", new MergeVertex(), "maxpool", "conv3")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "merge")
                .addLayer("fc", new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build(), "merge")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5)
                        .activation(Activation.SOFTMAX).build(), "fc")
                .setOutputs("out", "gap")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        // Running statistics far from the identity, as in a trained network.
        org.nd4j.linalg.api.rng.Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        for (String bn : new String[] {"bn1", "bn2"}) {
            var layer = graph.getLayer(bn);
            layer.getParam("mean").assign(Nd4j.rand(rng, layer.getParam("mean").shape()).subi(0.5));
            INDArray logStd = layer.getParam("log10stdev");
            if (logStd != null) {
                logStd.assign(Nd4j.rand(rng, logStd.shape()).subi(0.5).muli(0.6));
            }
            layer.getParam("gamma").assign(Nd4j.rand(rng, layer.getParam("gamma").shape()).addi(0.5));
            layer.getParam("beta").assign(Nd4j.rand(rng, layer.getParam("beta").shape()).subi(0.5));
        }
        return graph;
    }
}
