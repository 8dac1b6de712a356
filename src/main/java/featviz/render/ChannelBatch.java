package featviz.render;

import featviz.model.ImageNetwork;
import featviz.objective.ChannelPerImageObjective;
import featviz.objective.Objective;
import featviz.optim.Optimizer;
import featviz.param.ImageParam;
import featviz.transform.Transform;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Renders several channels of one layer in one forward and backward pass per step: image b of the batch
 * maximises channel b. Every image depends only on its own channel and seed (per-image start noise,
 * per-image optimiser statistics, transforms drawn from the same seeded sequence for every batch), so a
 * channel's picture does not depend on which batch it was in.
 */
public final class ChannelBatch {
    private final ImageNetwork network;
    private final String vertex;
    private final String layerName;
    private final Function<List<Long>, ImageParam> params;
    private final Supplier<Optimizer> optimizers;
    private final List<Transform> transforms;
    private final long seed;

    /**
     * @param params makes the parameterization for a batch of channels (its start images seeded per channel)
     * @param optimizers a fresh optimiser per batch
     */
    public ChannelBatch(ImageNetwork network, String vertex, String layerName, Function<List<Long>, ImageParam> params,
                        Supplier<Optimizer> optimizers, List<Transform> transforms, long seed) {
        this.network = network;
        this.vertex = vertex;
        this.layerName = layerName;
        this.params = params;
        this.optimizers = optimizers;
        this.transforms = List.copyOf(transforms);
        this.seed = seed;
    }

    public RenderResult render(List<Long> channels, int steps, RenderListener listener) {
        Objective objective = new ChannelPerImageObjective(vertex, layerName, channels);
        Renderer renderer = new Renderer(network, objective, params.apply(channels), optimizers.get(), transforms, seed);
        return renderer.run(steps, listener);
    }
}
