package featviz.analysis;

import featviz.UsageException;
import featviz.model.ImageNetwork;
import featviz.model.VisionModel;
import featviz.model.op.Memory;
import featviz.objective.Objective;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.function.IntConsumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Whether a render can be trusted, measured against real images (issue 16, after MACO: Fel et al., NeurIPS 2023):
 * <ul>
 * <li><b>superstimulus ratio</b>: the render's value of its unit over the largest value of that unit among the
 *     real images (above 1: the render excites the unit more than any real image does; NaN when no real image
 *     gives the unit a positive value, where a ratio means nothing);</li>
 * <li><b>plausibility</b>: the cosine similarity of the render's vector at a representation layer (per-channel
 *     spatial means, or a dense layer's units) to the mean vector of the unit's top K real images, ranked by the
 *     unit's value: 1 when the network sees the render as it sees the images that excite the unit most.</li>
 * </ul>
 * A unit's value is what the render maximised: a channel's mean over positions, or the objective's value.
 * The real images run once, in batches, up front; each unit keeps its best K values with their vectors, so
 * memory is units x K vectors whatever the number of images, and a whole layer's channels share the pass.
 */
public final class RenderQuality {
    /** The values of the rendered units for a batch of images: [images][units]. */
    @FunctionalInterface
    public interface Units {
        double[][] values(INDArray images);
    }

    /**
     * One render's scores.
     *
     * @param activation the render's value of its unit
     * @param bestReal the largest value of the unit among the real images
     */
    public record Score(double superstimulus, double plausibility, double activation, double bestReal) {
    }

    private record Entry(double value, long order, double[] vector) {
    }

    /** Highest value first; equal ones in the order the images came. */
    private static final Comparator<Entry> BEST_FIRST = Comparator.comparingDouble((Entry e) -> -e.value())
            .thenComparingLong(Entry::order);

    private final Units units;
    private final LayerActivations representation;
    private final int top;
    private final long images;
    private final double[] best;
    private final double[][] meanOfTop;

    private RenderQuality(Units units, LayerActivations representation, int top, long images, double[] best,
                          double[][] meanOfTop) {
        this.units = units;
        this.representation = representation;
        this.top = top;
        this.images = images;
        this.best = best;
        this.meanOfTop = meanOfTop;
    }

    /**
     * Runs the real images once.
     *
     * @param unitCount how many units {@code units} gives values for
     * @param top K, how many of each unit's best images make its reference vector
     * @param progress told the number of files handled after each batch
     * @throws UsageException when no file of {@code files} is a readable image
     */
    public static RenderQuality measure(Units units, int unitCount, LayerActivations representation, int top,
                                        List<Path> files, ImageLoader loader, int batch, IntConsumer progress) {
        if (top < 1) {
            throw new UsageException("the number of top images for plausibility must be at least 1, not " + top);
        }
        List<BestK<Entry>> queues = new ArrayList<>();
        for (int u = 0; u < unitCount; u++) {
            queues.add(new BestK<>(top, BEST_FIRST));
        }
        long[] seen = {0};
        ImageStream.forEachBatch(files, loader, batch, (names, batchImages) -> {
            double[][] values = onCopy(batchImages, units::values);
            INDArray reps = onCopy(batchImages, representation::means);
            double[][] vectors = reps.toDoubleMatrix();
            Memory.release(reps);
            for (int n = 0; n < values.length; n++) {
                for (int u = 0; u < unitCount; u++) {
                    queues.get(u).offer(new Entry(values[n][u], seen[0] + n, vectors[n]));
                }
            }
            seen[0] += values.length;
        }, progress);
        if (seen[0] == 0) {
            throw new UsageException("no readable images among the " + files.size() + " files of " + files.get(0).getParent());
        }
        double[] best = new double[unitCount];
        double[][] meanOfTop = new double[unitCount][];
        for (int u = 0; u < unitCount; u++) {
            List<Entry> entries = queues.get(u).bestFirst();
            best[u] = entries.stream().mapToDouble(Entry::value).max().orElse(Double.NaN);
            double[] mean = new double[entries.get(0).vector().length];
            for (Entry e : entries) {
                for (int i = 0; i < mean.length; i++) {
                    mean[i] += e.vector()[i] / entries.size();
                }
            }
            meanOfTop[u] = mean;
        }
        return new RenderQuality(units, representation, Math.min(top, (int) seen[0]), seen[0], best, meanOfTop);
    }

    /**
     * Scores images [N, C, H, W] (a render read back from its PNG, as a user gets it): image n against unit
     * {@code unitOf[n]}, with the unit's value taken from column {@code column[n]} of {@link Units#values}
     * for that batch.
     */
    public Score[] score(INDArray renders, int[] unitOf, int[] column) {
        double[][] values = onCopy(renders, units::values);
        INDArray reps = onCopy(renders, representation::means);
        double[][] vectors = reps.toDoubleMatrix();
        Memory.release(reps);
        Score[] scores = new Score[values.length];
        for (int n = 0; n < values.length; n++) {
            int u = unitOf[n];
            double value = values[n][column[n]];
            scores[n] = new Score(superstimulus(value, best[u]), plausibility(vectors[n], meanOfTop[u]), value, best[u]);
        }
        return scores;
    }

    /** One render of unit {@code unit}: the image [1, C, H, W]. */
    public Score score(INDArray render, int unit) {
        return score(render, new int[] {unit}, new int[] {unit})[0];
    }

    /** Each forward pass gets its own copy of the images: a network may free its input when it clears. */
    private static <T> T onCopy(INDArray images, java.util.function.Function<INDArray, T> pass) {
        INDArray copy = images.dup();
        try {
            return pass.apply(copy);
        } finally {
            if (!copy.wasClosed()) {
                Memory.release(copy);
            }
        }
    }

    /** Render value over the best real value; NaN when no real image gives the unit a positive value. */
    public static double superstimulus(double render, double bestReal) {
        return bestReal > 0 ? render / bestReal : Double.NaN;
    }

    /** cos(render, reference): 0 when either is the zero vector. */
    public static double plausibility(double[] render, double[] reference) {
        return 1 - Distances.cosine(render, reference);
    }

    /** The representation layer's name, as the user knows it. */
    public String layer() {
        return representation.layer();
    }

    /** K, the images each unit's reference vector averages (fewer when fewer images were read). */
    public int top() {
        return top;
    }

    /** How many real images were read. */
    public long images() {
        return images;
    }

    /** The largest value of unit {@code u} among the real images. */
    public double bestReal(int u) {
        return best[u];
    }

    /** Units that are channels of a layer: their spatial means ({@link LayerActivations#means}), as a channel objective measures them. */
    public static Units channels(LayerActivations layer, List<Long> channels) {
        return images -> {
            INDArray means = layer.means(images);
            double[][] all = means.toDoubleMatrix();
            Memory.release(means);
            double[][] values = new double[all.length][channels.size()];
            for (int n = 0; n < all.length; n++) {
                for (int c = 0; c < channels.size(); c++) {
                    values[n][c] = all[n][Math.toIntExact(channels.get(c))];
                }
            }
            return values;
        };
    }

    /** One unit: the value of an objective (a class logit, a channel, any expression) on each image. */
    public static Units objective(VisionModel model, Objective goal, int size) {
        ImageNetwork network = model.network(new TreeSet<>(goal.layers()), DataType.FLOAT, size, size);
        return images -> {
            try {
                Objective.Evaluation e = goal.evaluate(network.forward(images));
                e.gradients().values().forEach(Memory::release);
                double[][] values = new double[e.values().length][1];
                for (int n = 0; n < values.length; n++) {
                    values[n][0] = e.values()[n];
                }
                return values;
            } finally {
                network.clear();
            }
        };
    }

    /**
     * The default representation layer for plausibility, as MACO measures it: the penultimate layer, the one
     * the model's classifier output reads; null when the model has no classifier output.
     */
    public static String penultimateLayer(VisionModel model, int size) {
        String output = model.outputLayer(size, size);
        if (output == null) {
            return null;
        }
        List<String> inputs = model.spec(size, size).vertex(output).inputs();
        return inputs.size() == 1 ? model.displayName(inputs.get(0)) : null;
    }
}
