package featviz.model;

import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Flattens NCHW activations in TensorFlow's (height, width, channels) order: what DL4J's Keras import writes as
 * {@code org.deeplearning4j.nn.modelimport.keras.preprocessors.TensorFlowCnnToFeedForwardPreProcessor} for a
 * Keras Flatten over channels-last data (ResNet50 v3's {@code flatten_1}). That class lives in
 * deeplearning4j-modelimport, which featviz does not ship; {@link KerasPreprocessors} names this one instead.
 * Same JSON fields, same output type as its parent; only the element order differs.
 */
public class ChannelsLastFlatten extends CnnToFeedForwardPreProcessor {

    public ChannelsLastFlatten() {
        super();
    }

    public ChannelsLastFlatten(long inputHeight, long inputWidth, long numChannels) {
        super(inputHeight, inputWidth, numChannels);
    }

    /** As TensorFlowCnnToFeedForwardPreProcessor (M2.1): permute to [N, H, W, C], then flatten in C order. */
    @Override
    public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        if (input.rank() == 2) {
            return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, input);
        }
        INDArray nhwc = workspaceMgr.dup(ArrayType.ACTIVATIONS, input.permute(0, 2, 3, 1), 'c');
        return nhwc.reshape('c', input.size(0), input.size(1) * input.size(2) * input.size(3));
    }

    @Override
    public INDArray backprop(INDArray epsilons, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        if (epsilons.ordering() != 'c' || !org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(epsilons)) {
            epsilons = epsilons.dup('c');
        }
        INDArray nhwc = epsilons.reshape('c', epsilons.size(0), inputHeight, inputWidth, numChannels);
        return workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, nhwc.permute(0, 3, 1, 2), 'c');
    }

    @Override
    public ChannelsLastFlatten clone() {
        return (ChannelsLastFlatten) super.clone();
    }
}
