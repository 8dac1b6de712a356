package featviz.render;

import featviz.model.ImageNetwork;
import featviz.model.op.Memory;
import featviz.objective.Objective;
import featviz.optim.Optimizer;
import featviz.param.ImageParam;
import featviz.transform.Transform;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.function.IntPredicate;
import org.nd4j.linalg.api.buffer.DataType;
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
 * <p>Memory stays flat however many steps run (ND4J frees native buffers only when the JVM collects their
 * Java objects, which a long run outpaces): the network frees each of its activations and gradients at its
 * last use (see {@link featviz.model.Network}), and the small arrays of the rest of a step (image,
 * transforms, objective, optimiser) live in one ND4J workspace recycled at the next step.
 */
public final class Renderer {
    private static final WorkspaceConfiguration STEP_WORKSPACE = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .overallocationLimit(0.2)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .build();

    /** Steps between explicit collections; one costs a few milliseconds against a step's hundreds. */
    private static final int GC_EVERY_STEPS = 32;

    private final ImageNetwork network;
    private final Objective objective;
    private final ImageParam param;
    private final Optimizer optimizer;
    private final List<Transform> transforms;
    private final SplittableRandom random;
    private IntPredicate snapshotAt = step -> false;
    private BiConsumer<Integer, INDArray> snapshots = (step, image) -> {
    };
    private int redirectSteps;
    private boolean keepTransparency;
    private INDArray transparency; // outside any workspace: it outlives every step
    /** Pixels (height x width) of every image the network has seen, and how many: for the benchmark. */
    private double inputPixels;
    private long inputs;

    public Renderer(ImageNetwork network, Objective objective, ImageParam param, Optimizer optimizer) {
        this(network, objective, param, optimizer, List.of(), 0);
    }

    /**
     * @param transforms applied in order to the image before the network sees it, every step
     * @param seed seeds the transforms' random draws, so a render is reproducible
     */
    public Renderer(ImageNetwork network, Objective objective, ImageParam param, Optimizer optimizer,
                    List<Transform> transforms, long seed) {
        this.network = network;
        this.objective = objective;
        this.param = param;
        this.optimizer = optimizer;
        this.transforms = List.copyOf(transforms);
        this.random = new SplittableRandom(seed);
    }

    /**
     * Hands a copy of the image (outside any workspace) to {@code sink} after each step {@code when}
     * accepts: for snapshots at thresholds and animation frames.
     */
    public Renderer snapshots(IntPredicate when, BiConsumer<Integer, INDArray> sink) {
        this.snapshotAt = when;
        this.snapshots = sink;
        return this;
    }

    /**
     * Redirects the ReLU gradients during the first {@code steps} steps ({@link featviz.model.op.ReluRedirect}),
     * so that units no start image activates get a gradient; 0 = never.
     */
    public Renderer redirectRelu(int steps) {
        this.redirectSteps = steps;
        return this;
    }

    /**
     * Accumulates the transparency as MACO does (Xplique's {@code maco}, Horama's {@code maco_fv}: the sum over the
     * steps of |d objective / d image|), here the gradient of the image the parameterization makes, after the
     * transforms' adjoints, so any parameterization has one; summed over the image's channels. See
     * {@link RenderResult#transparency}.
     */
    public Renderer transparency(boolean on) {
        this.keepTransparency = on;
        return this;
    }

    public RenderResult run(int steps, RenderListener listener) {
        double[] first = null;
        double[] last = null;
        double[] best = null;
        transparency = null;
        long start = System.nanoTime();
        String workspaceId = "featviz-step-" + System.identityHashCode(this);
        Set<String> cut = computeOnlyReadChannels();
        try {
            for (int step = 1; step <= steps; step++) {
                try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP_WORKSPACE, workspaceId)) {
                    Objective.Evaluation eval;
                    try (featviz.model.op.ReluRedirect.Scope redirect = step <= redirectSteps ? featviz.model.op.ReluRedirect.during() : null) {
                        eval = ascend();
                    } catch (org.nd4j.linalg.exception.ND4JIllegalStateException | IllegalStateException e) {
                        throw new featviz.RunFailure("step " + step + " failed: the network cannot take the image as"
                                + " transformed (" + firstLine(e) + "); try another --size or --transforms none", e);
                    }
                    last = eval.values();
                    if (first == null) {
                        first = last.clone();
                        best = last.clone();
                    }
                    for (int b = 0; b < last.length; b++) {
                        best[b] = Math.max(best[b], last[b]);
                    }
                    listener.stepDone(step, steps, eval.total());
                    if (snapshotAt.test(step)) {
                        INDArray copy;
                        try (var outside = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                            copy = param.image().dup();
                        }
                        snapshots.accept(step, copy);
                    }
                } finally {
                    network.clear();
                }
                if (step % GC_EVERY_STEPS == 0) {
                    // ND4J frees what a step leaves outside its workspace (op descriptors, shape buffers, views)
                    // only when the JVM collects their small Java handles, which a nearly idle heap rarely does:
                    // without this, resident memory grew 20-30% over 400 steps; with it, it stays flat.
                    System.gc();
                }
            }
        } finally {
            cut.forEach(layer -> network.restrictChannels(layer, null));
            Memory.emptyPool();
        }
        double secondsPerStep = (System.nanoTime() - start) / 1e9 / steps;
        Nd4j.getWorkspaceManager().destroyWorkspace(Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(workspaceId));
        INDArray image;
        try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            image = param.image().dup();
        }
        INDArray kept = transparency;
        transparency = null;
        return new RenderResult(image, first, last, steps, secondsPerStep, best, kept);
    }

    /**
     * Lets each layer the objective reads only some channels of compute just those, when nothing after it
     * in the network needs the rest (the last layer): 1 of 512 filters for a VGG19 channel render. Returns
     * the layers so restricted.
     */
    private Set<String> computeOnlyReadChannels() {
        Set<String> cut = new java.util.LinkedHashSet<>();
        for (String layer : objective.layers()) {
            long[] channels = objective.channelsRead(layer);
            if (channels != null && network.restrictChannels(layer, channels)) {
                cut.add(layer);
            }
        }
        return cut;
    }

    /** One step: forward, objective, backward to the parameters, update. Returns the objective before the update. */
    private Objective.Evaluation ascend() {
        INDArray image = param.image();
        for (Transform t : transforms) {
            image = t.forward(image, random);
        }
        inputPixels += image.rank() == 4 ? (double) image.size(2) * image.size(3) : 0;
        inputs++;
        Map<String, INDArray> activations = network.forward(image);
        Objective.Evaluation eval = objective.evaluate(activations);
        INDArray gradImage = network.backward(eval.gradients());
        for (int i = transforms.size() - 1; i >= 0; i--) {
            gradImage = transforms.get(i).backward(gradImage);
        }
        if (keepTransparency && gradImage != null) {
            accumulateTransparency(gradImage);
        }
        optimizer.step(param.parameters(), param.backward(gradImage).castTo(param.parameters().dataType()));
        param.afterStep();
        return eval;
    }

    private void accumulateTransparency(INDArray gradImage) {
        INDArray magnitude = org.nd4j.linalg.ops.transforms.Transforms.abs(gradImage, true).castTo(DataType.DOUBLE)
                .sum(true, 1);
        if (transparency == null) {
            try (var outside = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                transparency = Nd4j.zeros(DataType.DOUBLE, magnitude.shape());
            }
        }
        transparency.addi(magnitude);
    }

    /**
     * The root mean square side of the images the network has seen so far: random scaling changes it every step,
     * and a step's cost follows the area.
     */
    public double meanInputSide() {
        return inputs == 0 ? 0 : Math.sqrt(inputPixels / inputs);
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        return m.lines().findFirst().orElse(m);
    }
}
