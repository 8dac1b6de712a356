package featviz.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.OptionalInt;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.junit.jupiter.api.Test;

/**
 * A file model's input size is fixed by a dense head reading flattened maps or by an input declared flat, and by
 * nothing else: without either it is free (empty).
 */
class InputSizeTest {

    /** conv 3x3 same (4 channels), a 7x7/7 average pool, and a dense head of nIn, or global pooling. */
    static OptionalInt sizeFor(long nIn, boolean globalPool) {
        var list = new NeuralNetConfiguration.Builder().list()
                .layer(new ConvolutionLayer.Builder(3, 3).nIn(3).nOut(4).convolutionMode(ConvolutionMode.Same).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(7, 7).stride(7, 7).build());
        if (globalPool) {
            list.layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build()).layer(new DenseLayer.Builder().nIn(4).nOut(2).build());
        } else {
            list.layer(new DenseLayer.Builder().nIn(nIn).nOut(2).build());
        }
        MultiLayerConfiguration conf = list.build(); // no input type: as in a file
        return InputSize.fixedBy(type -> GraphSpec.of(conf, type), 3, conf.getInputPreProcess(0));
    }

    @Test
    void theSizeTheDenseHeadFixes() {
        // 4 x 4 x 4 maps: images of 28 to 34 pixels give them; the smallest is taken.
        assertEquals(OptionalInt.of(28), sizeFor(4 * 4 * 4, false));
        assertEquals(OptionalInt.of(63), sizeFor(4 * 9 * 9, false));
    }

    @Test
    void theUsualSizeWhenItFitsOrNoneDoes() {
        assertEquals(OptionalInt.of(224), sizeFor(4 * 32 * 32, false)); // 224..230 all give 32x32 maps
        assertEquals(OptionalInt.of(224), sizeFor(4 * 5 * 5 + 1, false)); // no size gives that many values
    }

    @Test
    void globalPoolingLeavesTheSizeFree() {
        assertEquals(OptionalInt.empty(), sizeFor(0, true));
    }

    @Test
    void anInputDeclaredFlatFixesItsSize() {
        // convolutionalFlat(20, 20, 3) records a FeedForwardToCnn preprocessor in front of the first layer
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new DenseLayer.Builder().nOut(2).build())
                .setInputType(InputType.convolutionalFlat(20, 20, 3))
                .build();
        assertEquals(OptionalInt.of(20), InputSize.fixedBy(type -> GraphSpec.of(conf, type), 3, conf.getInputPreProcess(0)));
        assertEquals(OptionalInt.empty(), InputSize.fixedBy(type -> GraphSpec.of(conf, type), 3, null));
    }

    @Test
    void loadedModelsSayWhetherTheyFixTheirSize() {
        ModelLoader loader = new ModelLoader(null);
        Path resources = Path.of("src/test/resources/featviz");
        // a ComputationGraph ending in a global average pool: free
        assertEquals(OptionalInt.empty(), loader.load(resources.resolve("fashion-mnist-b.zip").toString(), null, null, 0)
                .fixedSize());
        // a 0.5.0 MultiLayerNetwork whose output layer reads flattened maps: 28
        assertEquals(OptionalInt.of(28), loader.load(resources.resolve("dl4j-regression/050_ModelSerializer_Regression_CNN_1.zip")
                .toString(), null, null, 0).fixedSize());
        // the catalogue fixes its own model's size, though the network would take any
        assertEquals(OptionalInt.of(28), loader.load("fashion-mnist", null, null, 0).fixedSize());
    }
}
