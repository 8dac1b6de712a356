package featviz.objective;

import java.util.Set;

/**
 * An objective that reads one layer: the vertex it reads, the name the user typed for it (for messages
 * and descriptions), and the optional batch index (-1 = every image), checked when it is built.
 */
abstract class LayerObjective implements Objective {
    protected final String layer;
    protected final String displayLayer;
    protected final int batchIndex;

    LayerObjective(String layer, String displayLayer, int batchIndex) {
        this.layer = layer;
        this.displayLayer = displayLayer;
        this.batchIndex = Batch.checkIndex(batchIndex);
    }

    @Override
    public Set<String> layers() {
        return Set.of(layer);
    }
}
