package featviz.model.op;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import featviz.KnownAnswerNets;
import featviz.model.ImageNetwork;
import featviz.model.VisionModel;
import featviz.objective.ChannelObjective;
import featviz.objective.Objective;
import featviz.optim.Adam;
import featviz.param.PixelParam;
import featviz.render.RenderListener;
import featviz.render.RenderResult;
import featviz.render.Renderer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Lucid's redirected ReLU gradient: where it must equal the true gradient, and what it is for. */
class ReluRedirectTest {

    @Test
    void anImageWithAnyTrueGradientKeepsItAndABlockedImagePassesOnlyUpwardPushes() {
        // image 0: one open unit, so its true gradient stays; image 1: all blocked, so max(g, 0) passes
        INDArray output = Nd4j.create(new double[][] {{0, 2, 0, 0}, {0, 0, 0, 0}});
        INDArray grad = Nd4j.create(new double[][] {{1, -3, -1, 4}, {1, -3, -1, 4}});
        Relu relu = new Relu(false);
        relu.forward(output.dup());
        try (var on = ReluRedirect.during()) {
            relu.backward(grad);
        }
        assertArrayEquals(new double[] {0, -3, 0, 0}, grad.getRow(0).toDoubleVector(), 0);
        assertArrayEquals(new double[] {1, 0, 0, 4}, grad.getRow(1).toDoubleVector(), 0);
        INDArray plain = Nd4j.create(new double[][] {{1, -3, -1, 4}, {1, -3, -1, 4}});
        relu.backward(plain); // closed: the true gradient again
        assertArrayEquals(new double[] {0, 0, 0, 0}, plain.getRow(1).toDoubleVector(), 0);
    }

    static VisionModel deadModel(DataType dt) {
        return KnownAnswerNets.model(KnownAnswerNets.deadNet(dt), "dead-net", 3, 8);
    }

    /** The objective of each image of x and d objective / d x, redirected or not. */
    static double objective(ImageNetwork net, Objective o, INDArray x) {
        double[] v = o.evaluate(net.forward(x)).values();
        net.clear();
        double sum = 0;
        for (double d : v) {
            sum += d;
        }
        return sum;
    }

    static INDArray gradient(ImageNetwork net, Objective o, INDArray x, boolean redirect) {
        Map<String, INDArray> acts = net.forward(x);
        Objective.Evaluation e = o.evaluate(acts);
        INDArray g;
        if (redirect) {
            try (var on = ReluRedirect.during()) {
                g = net.backward(e.gradients()).dup();
            }
        } else {
            g = net.backward(e.gradients()).dup();
        }
        net.clear();
        return g;
    }

    /**
     * Where some unit of every image is open, the redirected gradient is the true one: central differences in
     * double precision agree with it while the redirection is on, and with the plain gradient after it (the
     * steps past --redirect-relu), also for a batch whose second image is all dead (true gradient zero there).
     */
    @Test
    void theRedirectedGradientIsTheTrueOneWhereverAnyGradientGetsThrough() {
        VisionModel model = deadModel(DataType.DOUBLE);
        String vertex = model.resolve("dead");
        ImageNetwork net = model.network(List.of(vertex), DataType.DOUBLE, 8, 8);
        // bright enough that some pixels' R + G + B exceed 2, dark enough that others do not
        INDArray x = GradientCheck.uniform(DataType.DOUBLE, 11, 2, 3, 8, 8).muli(0.6).addi(0.4);
        for (long ch : new long[] {0, 1}) {
            Objective o = new ChannelObjective(vertex, "dead", ch);
            INDArray redirected = gradient(net, o, x, true);
            INDArray plain = gradient(net, o, x, false);
            assertEquals(plain, redirected, "channel " + ch);
            double err = GradientCheck.maxRelativeError(in -> objective(net, o, in), x, redirected, 400, 3);
            assertTrue(err < 1e-6, "channel " + ch + ": relative error " + err);
        }
        // after the redirect steps: a dead image (all pixels 0.5, sum 1.5 < 2) has the true gradient, zero
        INDArray dead = Nd4j.valueArrayOf(new long[] {1, 3, 8, 8}, 0.5, DataType.DOUBLE);
        Objective o = new ChannelObjective(vertex, "dead", 0);
        INDArray plain = gradient(net, o, dead, false);
        assertEquals(0, plain.amaxNumber().doubleValue(), 0);
        assertEquals(0, GradientCheck.maxRelativeError(in -> objective(net, o, in), dead, plain, 50, 4), 1e-6);
        // while redirected it is not: the unit's whole upstream gradient (1/64 per position) pushes each pixel up
        INDArray redirected = gradient(net, o, dead, true);
        assertEquals(1.0 / 64, redirected.minNumber().doubleValue(), 1e-12);
    }

    static RenderResult render(int redirectSteps) {
        VisionModel model = deadModel(DataType.FLOAT);
        String vertex = model.resolve("dead");
        ImageNetwork net = model.network(List.of(vertex), DataType.FLOAT, 8, 8);
        INDArray grey = Nd4j.valueArrayOf(new long[] {1, 3, 8, 8}, 0.5f);
        return new Renderer(net, new ChannelObjective(vertex, "dead", 0), new PixelParam(grey), new Adam(0.05))
                .redirectRelu(redirectSteps).run(40, RenderListener.NONE);
    }

    @Test
    void itRevivesAUnitThatThePlainGradientLeavesDead() {
        RenderResult plain = render(0);
        assertEquals(0, plain.lastObjective()[0], 0);
        assertTrue(plain.flat(0), "a dead unit's render is flat");
        RenderResult redirected = render(16);
        System.out.println("dead unit: plain " + plain.lastObjective()[0] + ", redirected " + redirected.lastObjective()[0]);
        assertFalse(redirected.flat(0));
        // R + G + B - 2 at most 1, reached when every pixel is white
        assertTrue(redirected.lastObjective()[0] > 0.9, "objective " + redirected.lastObjective()[0]);
    }
}
