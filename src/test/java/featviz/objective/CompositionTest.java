package featviz.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import featviz.model.ImageNetwork;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Sums, weights and negation: values, gradients over several layers and the image, layers, descriptions. */
class CompositionTest {
    final Objective a1 = new ChannelObjective("va", "a", 1);
    final Objective a2 = new NeuronObjective("va", "a", 2);
    final Objective dream = new DeepDreamObjective("vb", "b");
    final Objective tv = new TotalVariationPenalty();

    static Map<String, INDArray> inputs(int batch) {
        return Map.of(
                "va", GradientCheck.uniform(DataType.DOUBLE, 1, batch, 3, 3, 3).subi(0.5),
                "vb", GradientCheck.uniform(DataType.DOUBLE, 2, batch, 5, 2, 2).subi(0.5),
                // pixels in [0.5, 1) keep the L2 gradient below well away from 0, where the rounding noise of
                // the whole sum (about 1e-10) would dominate the relative error of a vanishing derivative
                ImageNetwork.IMAGE, GradientCheck.uniform(DataType.DOUBLE, 3, batch, 3, 4, 4).muli(0.5).addi(0.5));
    }

    static double[] values(Objective o, Map<String, INDArray> in) {
        return o.evaluate(in).values();
    }

    @Test
    void valuesCombineImageByImage() {
        Map<String, INDArray> in = inputs(2);
        double[] va1 = values(a1, in);
        double[] va2 = values(a2, in);
        double[] vd = values(dream, in);
        double[] vt = values(tv, in);
        Objective o = Objectives.sum(a1, Objectives.negate(Objectives.scale(0.5, a2)), Objectives.scale(3, dream),
                Objectives.scale(0.05, tv));
        double[] v = values(o, in);
        for (int i = 0; i < 2; i++) {
            assertEquals(va1[i] - 0.5 * va2[i] + 3 * vd[i] + 0.05 * vt[i], v[i], 1e-12);
        }
        assertArrayEquals(new double[] {-va1[0], -va1[1]}, values(Objectives.negate(a1), in), 1e-15);
        assertArrayEquals(new double[] {va1[0] - va2[0], va1[1] - va2[1]},
                values(Objectives.difference(a1, a2), in), 1e-15);
    }

    @Test
    void layersAreTheUnion() {
        Objective o = Objectives.sum(a1, Objectives.scale(2, Objectives.sum(a2, dream)), Objectives.negate(tv));
        assertEquals(Set.of("va", "vb", ImageNetwork.IMAGE), o.layers());
        assertEquals(Set.of("va"), Objectives.negate(a1).layers());
    }

    @Test
    void gradientsOfEveryInputMatchFiniteDifferences() {
        Objective o = Objectives.sum(a1, Objectives.scale(-0.5, a2), Objectives.negate(Objectives.scale(2, dream)),
                Objectives.scale(0.3, new L2Penalty(0, -1)),
                Objectives.scale(0.7, new DiversityObjective("vb", "b")),
                Objectives.scale(1.5, new DirectionObjective("va", "a", new double[] {1, -2, 0.5}, true, 0)));
        for (int batch : new int[] {1, 3}) {
            Map<String, INDArray> in = inputs(batch);
            for (String key : in.keySet()) {
                double err = ObjectiveGradientTest.gradientError(o, in, key, 40); // every coordinate: ObjectiveGradientTest
                assertTrue(err < 1e-6, key + " at batch " + batch + ": max relative error " + err);
            }
            // and every input moved at once, which catches a gradient filed under the wrong key
            Map<String, INDArray> direction = new HashMap<>();
            for (String key : in.keySet()) {
                direction.put(key, GradientCheck.uniform(DataType.DOUBLE, key.hashCode(), in.get(key).shape()).subi(0.5));
            }
            Objective.Evaluation e = o.evaluate(in);
            double analytic = 0;
            for (String key : in.keySet()) {
                analytic += e.gradients().get(key).mul(direction.get(key)).sumNumber().doubleValue();
            }
            double h = 1e-6;
            double numeric = (o.evaluate(shifted(in, direction, h)).total() - o.evaluate(shifted(in, direction, -h)).total())
                    / (2 * h);
            assertEquals(numeric, analytic, 1e-6 * Math.abs(numeric), "directional derivative at batch " + batch);
        }
    }

    static Map<String, INDArray> shifted(Map<String, INDArray> in, Map<String, INDArray> direction, double h) {
        Map<String, INDArray> out = new HashMap<>();
        in.forEach((key, x) -> out.put(key, x.add(direction.get(key).mul(h))));
        return out;
    }

    @Test
    void sharedLayersAddTheirGradients() {
        Map<String, INDArray> in = inputs(1);
        INDArray g1 = a1.evaluate(in).gradients().get("va");
        INDArray g2 = a2.evaluate(in).gradients().get("va");
        INDArray sum = Objectives.sum(a1, a2).evaluate(in).gradients().get("va");
        assertEquals(g1.add(g2), sum);
        assertEquals(g1, a1.evaluate(in).gradients().get("va"), "a term's own gradient array was changed");
    }

    @Test
    void factoriesFoldAndDescriptionsReadLikeExpressions() {
        assertSame(a1, Objectives.negate(Objectives.negate(a1)));
        assertSame(a1, Objectives.scale(1, a1));
        assertSame(a1, Objectives.sum(List.of(a1)));
        Objective nested = Objectives.sum(Objectives.sum(a1, a2), dream);
        assertEquals(3, ((SumObjective) nested).terms().size());
        assertEquals(-6, ((ScaledObjective) Objectives.scale(2, Objectives.negate(Objectives.scale(3, a1)))).factor());
        assertEquals("channel(a, 1) - 0.5*neuron(a, 2) + 0.05*tv",
                Objectives.sum(a1, Objectives.negate(Objectives.scale(0.5, a2)), Objectives.scale(0.05, tv)).describe());
        assertEquals("2*(channel(a, 1) + deepdream(b)) - channel(a, 1)",
                Objectives.difference(Objectives.scale(2, Objectives.sum(a1, dream)), a1).describe());
        assertEquals("-(channel(a, 1) + tv)", Objectives.negate(Objectives.sum(a1, tv)).describe());
    }
}
