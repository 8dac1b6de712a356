package featviz.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import featviz.model.ImageNetwork;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every objective's gradient against central finite differences of its total, in double precision, at
 * every coordinate of random activations and along a random direction: batches of 1 to 3, every image or
 * one selected.
 */
class ObjectiveGradientTest {
    static final double TOL = 1e-6;

    /** An objective built for a batch index, the key it reads and the shape of one image's activation. */
    record Case(String name, IntFunction<Objective> make, String key, long... imageShape) {
        /**
         * Total variation's gradient is exactly 0 wherever a pixel lies between its neighbours (+1 - 1), and
         * there the central difference is pure rounding noise of f (about 1e-10), which GradientCheck's
         * floor of 1e-8 turns into a relative error near 1e-2. Any real mistake (a sign, a factor of 2, a
         * missed neighbour) gives errors near 1; the directional check below stays at 1e-6 for tv too.
         */
        double coordinateTolerance() {
            return name.equals("tv") ? 0.05 : TOL;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        double[] v5 = {0.3, -1.2, 0.7, 2.0, -0.4};
        return List.of(
                new Case("channel", b -> new ChannelObjective("v", "l", 3, b), "v", 5, 2, 3),
                new Case("channel dense", b -> new ChannelObjective("v", "l", 3, b), "v", 5),
                new Case("neuron centre", b -> new NeuronObjective("v", "l", 2, -1, -1, b), "v", 5, 2, 3),
                new Case("neuron x,y", b -> new NeuronObjective("v", "l", 4, 2, 1, b), "v", 5, 2, 3),
                new Case("direction", b -> new DirectionObjective("v", "l", v5, false, b), "v", 5, 2, 3),
                new Case("direction dense", b -> new DirectionObjective("v", "l", v5, false, b), "v", 5),
                new Case("cosine", b -> new DirectionObjective("v", "l", v5, true, b), "v", 5, 2, 3),
                new Case("cosine dense", b -> new DirectionObjective("v", "l", v5, true, b), "v", 5),
                new Case("deepdream", b -> new DeepDreamObjective("v", "l", b), "v", 5, 2, 3),
                new Case("class", b -> new ClassLogitObjective("v", "l", 1, b), "v", 7),
                new Case("diversity", b -> new DiversityObjective("v", "l", b), "v", 4, 3, 2),
                new Case("diversity dense", b -> new DiversityObjective("v", "l", b), "v", 6),
                new Case("tv", TotalVariationPenalty::new, ImageNetwork.IMAGE, 3, 4, 5),
                new Case("l1", b -> new L1Penalty(0.5, b), ImageNetwork.IMAGE, 3, 4, 5),
                new Case("l2", b -> new L2Penalty(0.5, b), ImageNetwork.IMAGE, 3, 4, 5));
    }

    static List<Arguments> casesAndBatches() {
        List<Arguments> args = new ArrayList<>();
        for (Case c : cases()) {
            args.add(Arguments.of(c, 1, -1));
            args.add(Arguments.of(c, 2, -1));
            args.add(Arguments.of(c, 3, -1));
            args.add(Arguments.of(c, 3, 1));
            args.add(Arguments.of(c, 2, 0));
        }
        return args;
    }

    static INDArray random(long seed, int batch, long... imageShape) {
        long[] shape = new long[imageShape.length + 1];
        shape[0] = batch;
        System.arraycopy(imageShape, 0, shape, 1, imageShape.length);
        return GradientCheck.uniform(DataType.DOUBLE, seed, shape);
    }

    /** The worst relative error of the gradient for {@code key} with every other input held fixed. */
    static double gradientError(Objective o, Map<String, INDArray> inputs, String key) {
        return gradientError(o, inputs, key, Integer.MAX_VALUE);
    }

    /** The same at {@code samples} random coordinates (every one if there are fewer). */
    static double gradientError(Objective o, Map<String, INDArray> inputs, String key, int samples) {
        INDArray grad = o.evaluate(inputs).gradients().get(key);
        assertArrayEquals(inputs.get(key).shape(), grad.shape());
        Map<String, INDArray> varied = new HashMap<>(inputs);
        return GradientCheck.maxRelativeError(x -> {
            varied.put(key, x);
            return o.evaluate(varied).total();
        }, inputs.get(key), grad, samples, 7);
    }

    @ParameterizedTest(name = "{0}, batch of {1}, index {2}")
    @MethodSource("casesAndBatches")
    void gradientMatchesFiniteDifferences(Case c, int batch, int batchIndex) {
        Objective o = c.make().apply(batchIndex);
        INDArray x = random(31L * batch + batchIndex, batch, c.imageShape());
        if (!c.key().equals(ImageNetwork.IMAGE)) {
            x.subi(0.5).muli(4); // activations of both signs, larger than 1
        }
        double err = gradientError(o, Map.of(c.key(), x), c.key());
        assertTrue(err < c.coordinateTolerance(), c + ": max relative error " + err);
        INDArray grad = o.evaluate(Map.of(c.key(), x)).gradients().get(c.key());
        double directional = GradientCheck.directionalError(y -> o.evaluate(Map.of(c.key(), y)).total(), x, grad, 3);
        assertTrue(directional < TOL, c + ": directional relative error " + directional);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void onlyTheSelectedImageScores(Case c) {
        Objective all = c.make().apply(-1);
        Objective second = c.make().apply(1);
        INDArray x = random(5, 3, c.imageShape()).subi(0.25);
        double[] everyImage = all.evaluate(Map.of(c.key(), x)).values();
        double[] selected = second.evaluate(Map.of(c.key(), x)).values();
        assertEquals(0, selected[0]);
        assertEquals(everyImage[1], selected[1], 1e-12);
        assertEquals(0, selected[2]);
        if (!(all instanceof DiversityObjective)) { // diversity's value for one image depends on the others
            INDArray g = second.evaluate(Map.of(c.key(), x)).gradients().get(c.key());
            assertEquals(0, Batch.imageOf(g, 0).amaxNumber().doubleValue());
            assertEquals(0, Batch.imageOf(g, 2).amaxNumber().doubleValue());
        }
    }
}
