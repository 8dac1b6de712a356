package featviz.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.UsageException;
import featviz.model.ImageNetwork;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Every objective's value on activations small enough to work out by hand. */
class ObjectiveValuesTest {
    static final double TOL = 1e-12;

    static INDArray array(double[] values, long... shape) {
        return Nd4j.create(values, shape, DataType.DOUBLE);
    }

    /** 0, 1, 2, ... in NCHW order. */
    static INDArray arange(long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return Nd4j.arange(n).castTo(DataType.DOUBLE).reshape(shape);
    }

    static double[] values(Objective o, String key, INDArray act) {
        return o.evaluate(Map.of(key, act)).values();
    }

    @Test
    void channelIsTheMeanOverPositionsPerImage() {
        INDArray act = arange(2, 2, 2, 2); // image 0 channel 1: 4..7, image 1 channel 1: 12..15
        assertArrayEquals(new double[] {5.5, 13.5}, values(new ChannelObjective("v", "l", 1), "v", act), TOL);
        assertArrayEquals(new double[] {0, 13.5}, values(new ChannelObjective("v", "l", 1, 1), "v", act), TOL);
        assertArrayEquals(new double[] {1, 4}, values(new ChannelObjective("v", "l", 1), "v", arange(2, 3)), TOL);
        assertEquals("channel(l, 1, batch=1)", new ChannelObjective("v", "l", 1, 1).describe());
    }

    @Test
    void neuronDefaultsToTheCentreAndTakesAPosition() {
        INDArray act = arange(1, 2, 3, 4); // value at [0, c, y, x] = 12c + 4y + x
        assertArrayEquals(new double[] {12 + 4 + 2}, values(new NeuronObjective("v", "l", 1), "v", act), TOL);
        assertArrayEquals(new double[] {12 + 8 + 3},
                values(new NeuronObjective("v", "l", 1, 3, 2, -1), "v", act), TOL);
        assertEquals("neuron(l, 1, x=3, y=2)", new NeuronObjective("v", "l", 1, 3, 2, -1).describe());
        UsageException e = assertThrows(UsageException.class,
                () -> values(new NeuronObjective("v", "l", 1, 4, 0, -1), "v", act));
        assertEquals("neuron at x=4, y=0 is outside l, which is 4x3 (x 0-3, y 0-2) at this image size", e.getMessage());
        assertArrayEquals(new double[] {0, 12 + 24 + 4 + 2},
                values(new NeuronObjective("v", "l", 1, -1, -1, 1), "v", arange(2, 2, 3, 4)), TOL);
        // a dense layer has no positions: the unit itself
        assertArrayEquals(new double[] {2}, values(new NeuronObjective("v", "l", 2), "v", arange(1, 3)), TOL);
        assertThrows(IllegalArgumentException.class, () -> new NeuronObjective("v", "l", 1, 3, -1, -1));
    }

    @Test
    void directionIsTheMeanDotProductOverPositions() {
        // channel 0 = (3, 4), channel 1 = (4, -3) over two positions: a_p0 = (3, 4), a_p1 = (4, -3)
        INDArray act = array(new double[] {3, 4, 4, -3}, 1, 2, 1, 2);
        assertArrayEquals(new double[] {((3 - 4) + (4 + 3)) / 2.0},
                values(new DirectionObjective("v", "l", new double[] {1, -1}, false), "v", act), TOL);
        // cosine: (3, 4) is parallel to a_p0 and perpendicular to a_p1
        double cos0 = 5 / (5 + DirectionObjective.EPS);
        assertArrayEquals(new double[] {cos0 / 2},
                values(new DirectionObjective("v", "l", new double[] {3, 4}, true), "v", act), TOL);
        // the length of v does not matter to the cosine
        assertArrayEquals(new double[] {cos0 / 2},
                values(new DirectionObjective("v", "l", new double[] {300, 400}, true), "v", act), TOL);
        assertThrows(UsageException.class, () -> new DirectionObjective("v", "l", new double[] {0, 0}, true));
        assertThrows(UsageException.class,
                () -> values(new DirectionObjective("v", "l", new double[] {1, 2, 3}, false), "v", act));
    }

    @Test
    void cosineOfAnAllZeroPositionIsZeroAndFinite() {
        INDArray act = array(new double[] {0, 1, 0, 0}, 1, 2, 1, 2); // a_p0 = 0, a_p1 = (1, 0)
        Objective.Evaluation e = new DirectionObjective("v", "l", new double[] {1, 0}, true)
                .evaluate(Map.of("v", act));
        assertEquals(1 / (1 + DirectionObjective.EPS) / 2, e.values()[0], TOL);
        // d/da at a = 0 is u / eps (towards v), halved by the mean over two positions; at a_p1 = u it is
        // u (1/(1+eps) - 1/(1+eps)^2) / 2, since moving along a_p1 does not change its direction
        double eps = DirectionObjective.EPS;
        double along = (1 / (1 + eps) - 1 / ((1 + eps) * (1 + eps))) / 2;
        assertArrayEquals(new double[] {1 / eps / 2, along, 0, 0},
                e.gradients().get("v").reshape(4).toDoubleVector(), 1e-9);
    }

    @Test
    void cosineOfAnAllZeroPositionIsFiniteInFloatToo() {
        INDArray act = array(new double[] {0, 1, 0, 0}, 1, 2, 1, 2).castTo(DataType.FLOAT);
        Objective.Evaluation e = new DirectionObjective("v", "l", new double[] {1, 0}, true).evaluate(Map.of("v", act));
        for (double g : e.gradients().get("v").reshape(4).toDoubleVector()) {
            assertTrue(Double.isFinite(g), "gradient " + g);
        }
        assertEquals(0.5, e.values()[0], 1e-4);
    }

    @Test
    void deepDreamIsTheMeanSquarePerImage() {
        INDArray act = array(new double[] {1, 3, 2, 0}, 2, 2, 1, 1);
        assertArrayEquals(new double[] {5, 2}, values(new DeepDreamObjective("v", "l"), "v", act), TOL);
        assertArrayEquals(new double[] {5, 0}, values(new DeepDreamObjective("v", "l", 0), "v", act), TOL);
    }

    @Test
    void classLogitIsOneUnitOfARankTwoActivation() {
        INDArray act = arange(2, 3);
        assertArrayEquals(new double[] {2, 5}, values(new ClassLogitObjective("v", "fc", 2), "v", act), TOL);
        assertArrayEquals(new double[] {0, 4}, values(new ClassLogitObjective("v", "fc", 1, 1), "v", act), TOL);
        UsageException e = assertThrows(UsageException.class,
                () -> values(new ClassLogitObjective("v", "conv", 1), "v", arange(1, 2, 3, 3)));
        assertTrue(e.getMessage().contains("conv has shape [2, 3, 3]"), e.getMessage());
    }

    @Test
    void diversityIsMinusTheGramCosineToTheOtherImagesOverN() {
        // dense activations: the Gram matrix of a is a a^T
        INDArray orthogonal = array(new double[] {1, 0, 0, 1}, 2, 2);
        assertArrayEquals(new double[] {0, 0}, values(new DiversityObjective("v", "l"), "v", orthogonal), TOL);
        INDArray same = array(new double[] {1, 0, 2, 0}, 2, 2);
        assertArrayEquals(new double[] {-0.5, -0.5}, values(new DiversityObjective("v", "l"), "v", same), TOL);
        // G0 = [[1,1],[1,1]]/2, G1 = [[1,0],[0,0]]: cosine 1/2
        INDArray half = array(new double[] {1, 1, 1, 0}, 2, 2);
        assertArrayEquals(new double[] {-0.25, -0.25}, values(new DiversityObjective("v", "l"), "v", half), TOL);
        INDArray three = array(new double[] {1, 0, 1, 0, 0, 1}, 3, 2);
        assertArrayEquals(new double[] {-1 / 3.0, -1 / 3.0, 0},
                values(new DiversityObjective("v", "l"), "v", three), TOL);
        assertArrayEquals(new double[] {0, -1 / 3.0, 0},
                values(new DiversityObjective("v", "l", 1), "v", three), TOL);
        assertArrayEquals(new double[] {0}, values(new DiversityObjective("v", "l"), "v", arange(1, 2, 2, 2)), TOL);
        // convolutional: the Gram matrix sums over positions; two positions of image 0 mirror image 1's
        INDArray conv = array(new double[] {1, 0, 0, 1, 0, 1, 1, 0}, 2, 2, 1, 2);
        assertArrayEquals(new double[] {-0.5, -0.5}, values(new DiversityObjective("v", "l"), "v", conv), TOL);
    }

    @Test
    void totalVariationIsMinusTheMeanAbsoluteNeighbourDifference() {
        INDArray image = array(new double[] {0, 1, 0, 0}, 1, 1, 2, 2);
        assertArrayEquals(new double[] {-0.5}, values(new TotalVariationPenalty(), ImageNetwork.IMAGE, image), TOL);
        INDArray two = Nd4j.concat(0, image, image.mul(2));
        assertArrayEquals(new double[] {-0.5, -1}, values(new TotalVariationPenalty(), ImageNetwork.IMAGE, two), TOL);
        assertArrayEquals(new double[] {0, -1}, values(new TotalVariationPenalty(1), ImageNetwork.IMAGE, two), TOL);
        assertEquals(Set.of(ImageNetwork.IMAGE), new TotalVariationPenalty().layers());
        assertEquals("tv(batch=1)", new TotalVariationPenalty(1).describe());
    }

    @Test
    void l1AndL2AreMinusMeanDistancesFromGrey() {
        INDArray image = array(new double[] {0.5, 1.0}, 1, 1, 1, 2);
        assertArrayEquals(new double[] {-0.25}, values(new L1Penalty(), ImageNetwork.IMAGE, image), TOL);
        assertArrayEquals(new double[] {-0.75}, values(new L1Penalty(0, -1), ImageNetwork.IMAGE, image), TOL);
        assertArrayEquals(new double[] {-0.125}, values(new L2Penalty(), ImageNetwork.IMAGE, image), TOL);
        assertArrayEquals(new double[] {-0.625}, values(new L2Penalty(0, -1), ImageNetwork.IMAGE, image), TOL);
        assertEquals("l1", new L1Penalty().describe());
        assertEquals("l2(0.0, batch=0)", new L2Penalty(0, 0).describe());
    }

    @Test
    void penaltiesHaveAGradientAtAUniformGreyImage() {
        INDArray grey = Nd4j.valueArrayOf(new long[] {1, 3, 4, 4}, 0.5, DataType.DOUBLE);
        for (Objective o : new Objective[] {new TotalVariationPenalty(), new L1Penalty(), new L2Penalty()}) {
            Objective.Evaluation e = o.evaluate(Map.of(ImageNetwork.IMAGE, grey));
            assertEquals(0, e.values()[0], TOL);
            assertEquals(0, e.gradients().get(ImageNetwork.IMAGE).amaxNumber().doubleValue(), TOL, o.describe());
        }
    }

    @Test
    void aBatchIndexOutsideTheBatchIsAUsageError() {
        UsageException e = assertThrows(UsageException.class,
                () -> values(new ChannelObjective("v", "l", 0, 2), "v", arange(2, 3)));
        assertEquals("batch index 2 is out of range for a batch of 2 images", e.getMessage());
        assertThrows(UsageException.class, () -> values(new TotalVariationPenalty(1), ImageNetwork.IMAGE, arange(1, 1, 2, 2)));
        assertThrows(IllegalArgumentException.class, () -> new DeepDreamObjective("v", "l", -2));
        assertThrows(UsageException.class, () -> values(new ChannelObjective("v", "l", 3), "v", arange(2, 3)));
    }

    @Test
    void floatActivationsGiveFloatGradients() {
        INDArray act = arange(1, 2, 2, 2).castTo(DataType.FLOAT);
        Objective o = Objectives.sum(new ChannelObjective("v", "l", 1), new DeepDreamObjective("v", "l"),
                new DirectionObjective("v", "l", new double[] {1, 2}, true), new DiversityObjective("v", "l"));
        Objective.Evaluation e = o.evaluate(Map.of("v", act));
        assertEquals(DataType.FLOAT, e.gradients().get("v").dataType());
        assertArrayEquals(act.shape(), e.gradients().get("v").shape());
    }
}
