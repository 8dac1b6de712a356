package featviz.render;

import featviz.model.ImageNetwork;
import featviz.objective.Objective;
import featviz.optim.Optimizer;
import featviz.param.ImageParam;
import java.util.Map;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The loop that ties the four ideas together: parameters become an image, the network looks at it, the
 * objective scores the activations, and the optimiser climbs the gradient back to the parameters.
 *
 * <p>Every array a step allocates lives in one ND4J workspace that is recycled at the next step, so
 * memory stays flat however many steps run (ND4J frees native buffers only when the JVM collects their
 * Java objects, which a long run outpaces).
 */
public final class Renderer {
    private static final WorkspaceConfiguration STEP_WORKSPACE = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .overallocationLimit(0.2)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .build();

    private final ImageNetwork network;
    private final Objective objective;
    private final ImageParam param;
    private final Optimizer optimizer;

    public Renderer(ImageNetwork network, Objective objective, ImageParam param, Optimizer optimizer) {
        this.network = network;
        this.objective = objective;
        this.param = param;
        this.optimizer = optimizer;
    }

    public RenderResult run(int steps, RenderListener listener) {
        double[] first = null;
        double[] last = null;
        long start = System.nanoTime();
        String workspaceId = "featviz-step-" + System.identityHashCode(this);
        for (int step = 1; step <= steps; step++) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP_WORKSPACE, workspaceId)) {
                Objective.Evaluation eval = ascend();
                last = eval.values();
                if (first == null) {
                    first = last.clone();
                }
                listener.stepDone(step, steps, eval.total());
            } finally {
                network.clear();
            }
        }
        double secondsPerStep = (System.nanoTime() - start) / 1e9 / steps;
        Nd4j.getWorkspaceManager().destroyWorkspace(Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(workspaceId));
        INDArray image;
        try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            image = param.image().dup();
        }
        return new RenderResult(image, first, last, steps, secondsPerStep);
    }

    /** One step: forward, objective, backward to the parameters, update. Returns the objective before the update. */
    private Objective.Evaluation ascend() {
        INDArray image = param.image();
        Map<String, INDArray> activations = network.forward(image);
        Objective.Evaluation eval = objective.evaluate(activations);
        INDArray gradImage = network.backward(eval.gradients());
        optimizer.step(param.parameters(), param.backward(gradImage).castTo(param.parameters().dataType()));
        param.afterStep();
        return eval;
    }

    /** The objective of the current image, without changing it. */
    public Objective.Evaluation evaluate() {
        try {
            return objective.evaluate(network.forward(param.image()));
        } finally {
            network.clear();
        }
    }
}
