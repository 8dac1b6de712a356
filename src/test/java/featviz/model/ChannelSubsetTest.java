package featviz.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import featviz.model.op.Activation;
import featviz.model.op.Chain;
import featviz.model.op.ChannelSubset;
import featviz.model.op.Conv2d;
import featviz.model.op.Identity;
import featviz.model.op.Op;
import featviz.model.op.Relu;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** A last layer that computes only the channels the objective reads must agree with the whole layer on them. */
class ChannelSubsetTest {
    private static final long[] KEPT = {3, 1};

    private static Op convRelu(long seed) {
        INDArray w = GradientCheck.uniform(DataType.DOUBLE, seed, 6, 4, 3, 3).subi(0.5);
        INDArray b = GradientCheck.uniform(DataType.DOUBLE, seed + 1, 6).subi(0.5);
        Conv2d conv = new Conv2d(w, b, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, false);
        return new Chain(List.of(conv, new Relu(true)));
    }

    private static INDArray channel(INDArray a, long c) {
        return a.get(NDArrayIndex.all(), NDArrayIndex.point(c), NDArrayIndex.all(), NDArrayIndex.all());
    }

    @Test
    void keptChannelsMatchTheWholeLayerForwardAndBackward() {
        Op whole = convRelu(1);
        ChannelSubset cut = ChannelSubset.of(whole, KEPT);
        assertNotNull(cut);
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, 2, 2, 4, 7, 8).subi(0.5);

        INDArray full = whole.forward(x.dup());
        INDArray part = cut.forward(x.dup());
        assertEquals(List.of(2L, 6L, 7L, 8L), List.of(part.shape()[0], part.shape()[1], part.shape()[2], part.shape()[3]));
        for (long c = 0; c < 6; c++) {
            boolean kept = c == 1 || c == 3;
            INDArray expected = kept ? channel(full, c) : Nd4j.zeros(DataType.DOUBLE, 2, 7, 8);
            assertEquals(0, expected.sub(channel(part, c)).amaxNumber().doubleValue(), 1e-12, "channel " + c);
            assertTrue(!kept || channel(full, c).amaxNumber().doubleValue() > 0, "channel " + c + " is not all zero");
        }

        // A gradient on the kept channels only, as a channel objective sends.
        INDArray g = Nd4j.zeros(DataType.DOUBLE, full.shape());
        for (long c : KEPT) {
            channel(g, c).assign(GradientCheck.uniform(DataType.DOUBLE, 10 + c, 2, 7, 8));
        }
        INDArray expectedGrad = whole.backward(g.dup())[0];
        INDArray grad = cut.backward(g.dup())[0];
        assertEquals(0, expectedGrad.sub(grad).amaxNumber().doubleValue(), 1e-12);
        assertTrue(expectedGrad.amaxNumber().doubleValue() > 0);
    }

    /**
     * Weights and bias that are views at an offset into one parameter buffer, as DL4J's own layers hold them: ND4J's
     * SpecifiedIndex failed on the last of four 1x1 filters of such a view.
     */
    @Test
    void theLastFilterOfWeightsThatAreViewsIntoOneBuffer() {
        INDArray flat = GradientCheck.uniform(DataType.DOUBLE, 5, 1, 4 + 16).subi(0.5);
        INDArray b = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, 4));
        INDArray w = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(4, 20)).reshape('c', 4, 4, 1, 1);
        assertTrue(w.isView() && w.offset() == 4);
        Op whole = new Chain(List.of(new Conv2d(w.dup('c'), b.dup('c'), new int[] {1, 1}, new int[] {0, 0},
                new int[] {1, 1}, false), new Relu(true)));
        Op viewed = new Chain(List.of(new Conv2d(w, b, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, false),
                new Relu(true)));
        ChannelSubset cut = ChannelSubset.of(viewed, new long[] {3});
        assertNotNull(cut);
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, 6, 1, 4, 5, 5).subi(0.5);
        assertEquals(0, channel(whole.forward(x.dup()), 3).sub(channel(cut.forward(x.dup()), 3)).amaxNumber().doubleValue(),
                1e-12);
    }

    @Test
    void onlyConvolutionsWithReluAfterThemAreCut() {
        INDArray w = GradientCheck.uniform(DataType.DOUBLE, 1, 6, 4, 3, 3);
        Conv2d conv = new Conv2d(w, null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, false);
        assertNotNull(ChannelSubset.of(conv, KEPT));
        // softmax mixes channels: the kept ones would change without the others
        assertNull(ChannelSubset.of(new Chain(List.of(conv, new Activation(new ActivationSoftmax()))), KEPT));
        assertNull(ChannelSubset.of(new Relu(false), KEPT));
        assertNull(ChannelSubset.of(conv, new long[] {6}), "a channel the layer does not have");
    }

    @Test
    void networkCutsOnlyALayerNothingElseReads() {
        Network net = twoConvNetwork();
        assertFalse(net.restrictChannels("conv1", KEPT), "conv2 reads all of conv1's channels");
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, 4, 1, 4, 6, 6);
        Map<String, INDArray> probe = Map.of("conv2", onKeptChannels(5));
        INDArray whole = net.forward(x, List.of("conv2")).get("conv2").dup();
        INDArray expected = net.backward(probe);
        net.clear();

        assertTrue(net.restrictChannels("conv2", KEPT));
        INDArray act = net.forward(x, List.of("conv2")).get("conv2");
        for (long c : new long[] {0, 2, 4, 5}) {
            assertEquals(0, channel(act, c).amaxNumber().doubleValue(), 0, "unread channel " + c + " reads as zero");
        }
        assertTrue(whole.amaxNumber().doubleValue() > 0 && channel(whole, 5).amaxNumber().doubleValue()
                + channel(whole, 0).amaxNumber().doubleValue() > 0, "some unread channel was not zero before");
        INDArray grad = net.backward(probe);
        assertEquals(0, expected.sub(grad).amaxNumber().doubleValue(), 1e-12);
        net.clear();

        assertFalse(net.restrictChannels("conv2", null));
        INDArray restored = net.forward(x, List.of("conv2")).get("conv2");
        assertEquals(0, whole.sub(restored).amaxNumber().doubleValue(), 0, "all channels again");
        assertTrue(whole.amaxNumber().doubleValue() > 0);
        net.clear();
    }

    private static INDArray onKeptChannels(long seed) {
        INDArray g = Nd4j.zeros(DataType.DOUBLE, 1, 6, 6, 6);
        for (long c : KEPT) {
            channel(g, c).assign(GradientCheck.uniform(DataType.DOUBLE, seed + c, 1, 6, 6));
        }
        return g;
    }

    private static Network twoConvNetwork() {
        INDArray w1 = GradientCheck.uniform(DataType.DOUBLE, 7, 4, 4, 3, 3).subi(0.3);
        Conv2d conv1 = new Conv2d(w1, null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, false);
        List<Network.Node> nodes = List.of(
                new Network.Node("input", new Identity("input"), new int[0]),
                new Network.Node("conv1", new Chain(List.of(conv1, new Relu(true))), new int[] {0}),
                new Network.Node("conv2", convRelu(8), new int[] {1}));
        return new Network(nodes, DataType.DOUBLE);
    }
}
