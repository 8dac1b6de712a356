package featviz.render;

import featviz.io.ImageResize;
import featviz.model.ImageNetwork;
import featviz.model.op.Memory;
import featviz.objective.Objective;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * DeepDream as in TensorFlow's tutorial: gradient ascent on a photo itself, octave by octave (the photo
 * resized by {@code scale^n} for each n of the octave range, each octave starting from the previous one's
 * result), with tiled gradients so that large photos fit in memory.
 *
 * <p>Each step: roll the image by a random (seeded) offset, cut it into tiles of at most {@code tile} x
 * {@code tile} pixels, add up each tile's gradient, roll the gradient back, divide it by its standard
 * deviation (+1e-8), add {@code stepSize} times it to the image and clip to [0, 1]. The roll moves the tile
 * seams to a different place every step, so they do not show. Each tile's objective is weighted by its share
 * of the image's area, which makes the tiled objective the mean over the whole image: for a network whose
 * outputs at a position see only that position, tiled and untiled gradients are the same.
 *
 * <p>The image is in [0, 1] where the tutorial's is in [-1, 1], so a step of s here is the tutorial's 2s.
 *
 * <p>Like {@link Renderer}, every array a step allocates lives in an ND4J workspace recycled at the next step,
 * and each tile's in a nested one recycled at the next tile, so memory is bounded by one tile's forward and
 * backward pass plus a few copies of the image, however many steps and tiles run.
 */
public final class DeepDream {
    private static final WorkspaceConfiguration WORKSPACE = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .overallocationLimit(0.2)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .build();

    /**
     * @param firstOctave the first n of the octaves (the tutorial's -2)
     * @param lastOctave the last n (the tutorial's 2)
     * @param octaveScale the size ratio between octaves (1.3)
     * @param steps steps per octave
     * @param stepSize the step on the [0, 1] pixel scale
     * @param tile the largest tile side, in pixels
     * @param seed seeds the random rolls
     */
    public record Settings(int firstOctave, int lastOctave, double octaveScale, int steps, double stepSize, int tile,
                           long seed) {
    }

    /** d objective / d image of one step and the objective (the mean over tiles weighted by area). */
    public record Gradient(double objective, INDArray gradient) {
    }

    /** Hears that an octave starts, and returns the listener for its steps. */
    public interface OctaveListener {
        OctaveListener NONE = (octave, octaves, height, width) -> RenderListener.NONE;

        /** @param octave 1-based, of {@code octaves} */
        RenderListener octaveStarted(int octave, int octaves, int height, int width);
    }

    private final ImageNetwork network;
    private final Objective objective;
    private final Settings settings;
    private final String workspaceId = "featviz-dream-" + System.identityHashCode(this);

    public DeepDream(ImageNetwork network, Objective objective, Settings settings) {
        this.network = network;
        this.objective = objective;
        this.settings = settings;
    }

    /** The image size (height, width) of each octave: {@code (int) (size * scale^n)}, as the tutorial casts. */
    public static List<int[]> octaveSizes(int height, int width, Settings s) {
        List<int[]> sizes = new ArrayList<>();
        for (int n = s.firstOctave(); n <= s.lastOctave(); n++) {
            double f = Math.pow(s.octaveScale(), n);
            sizes.add(new int[] {(int) (height * f), (int) (width * f)});
        }
        return sizes;
    }

    /**
     * Where tiles start and end along an axis of {@code length} pixels: {@code ceil(length / tile)} tiles of
     * nearly equal size (none smaller than half a tile unless the axis is), as boundaries b0=0 < b1 < ... = length.
     */
    public static int[] tileBounds(int length, int tile) {
        int n = (length + tile - 1) / tile;
        int[] bounds = new int[n + 1];
        for (int i = 0; i <= n; i++) {
            bounds[i] = (int) ((long) i * length / n);
        }
        return bounds;
    }

    /**
     * Dreams on {@code photo} ([1, C, H, W], values in [0, 1], the network's channels) and returns the result at the photo's size,
     * a new array.
     */
    public INDArray run(INDArray photo, OctaveListener listener) {
        int height = Math.toIntExact(photo.size(2));
        int width = Math.toIntExact(photo.size(3));
        SplittableRandom random = new SplittableRandom(settings.seed());
        List<int[]> sizes = octaveSizes(height, width, settings);
        INDArray image = photo;
        for (int o = 0; o < sizes.size(); o++) {
            int h = sizes.get(o)[0];
            int w = sizes.get(o)[1];
            image = ImageResize.resize(image, h, w);
            RenderListener progress = listener.octaveStarted(o + 1, sizes.size(), h, w);
            String stepId = workspaceId + "-step";
            try {
                for (int step = 1; step <= settings.steps(); step++) {
                    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, stepId)) {
                        int shiftY = random.nextInt(h);
                        int shiftX = random.nextInt(w);
                        Gradient g = gradient(image, shiftY, shiftX);
                        INDArray grad = g.gradient();
                        double std = grad.stdNumber().doubleValue();
                        image.addi(grad.muli(settings.stepSize() / (std + 1e-8)));
                        Transforms.min(Transforms.max(image, 0.0, false), 1.0, false);
                        progress.stepDone(step, settings.steps(), g.objective());
                    }
                }
            } finally {
                // each octave has its own size: let the workspaces and the network's buffer pool learn it afresh
                destroy(stepId);
                destroy(workspaceId + "-tile");
                Memory.emptyPool();
            }
        }
        return ImageResize.resize(image, height, width);
    }

    /**
     * The tiled gradient of the objective at {@code image} ([1, C, H, W]) rolled down by {@code shiftY} and
     * right by {@code shiftX} pixels, rolled back to the image's own positions (not normalised). Tiles are
     * computed one after another; the result lives in the caller's current workspace, if any.
     */
    public Gradient gradient(INDArray image, int shiftY, int shiftX) {
        int h = Math.toIntExact(image.size(2));
        int w = Math.toIntExact(image.size(3));
        INDArray rolled = roll(roll(image.castTo(DataType.FLOAT), 2, shiftY), 3, shiftX);
        INDArray sum = Nd4j.zeros(DataType.FLOAT, rolled.shape());
        double total = 0;
        int[] rows = tileBounds(h, settings.tile());
        int[] cols = tileBounds(w, settings.tile());
        String tileId = workspaceId + "-tile";
        boolean standalone = Nd4j.getMemoryManager().getCurrentWorkspace() == null;
        try {
            for (int r = 0; r + 1 < rows.length; r++) {
                for (int c = 0; c + 1 < cols.length; c++) {
                    INDArrayIndex[] at = {NDArrayIndex.all(), NDArrayIndex.all(),
                        NDArrayIndex.interval(rows[r], rows[r + 1]), NDArrayIndex.interval(cols[c], cols[c + 1])};
                    double share = (double) (rows[r + 1] - rows[r]) * (cols[c + 1] - cols[c]) / ((double) h * w);
                    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, tileId)) {
                        Objective.Evaluation eval = objective.evaluate(network.forward(rolled.get(at).dup('c')));
                        total += share * eval.total();
                        sum.get(at).addi(network.backward(eval.gradients()).muli(share));
                    } finally {
                        network.clear();
                    }
                }
            }
        } finally {
            if (standalone) {
                destroy(tileId);
            }
        }
        return new Gradient(total, roll(roll(sum, 2, -shiftY), 3, -shiftX));
    }

    /** {@code x} rolled along {@code axis} (2 or 3 of a 4-d array): element i moves to (i + shift) mod size. */
    static INDArray roll(INDArray x, int axis, int shift) {
        long n = x.size(axis);
        long s = Math.floorMod(shift, n);
        if (s == 0) {
            return x;
        }
        return Nd4j.concat(axis, x.get(along(axis, n - s, n)), x.get(along(axis, 0, n - s)));
    }

    private static INDArrayIndex[] along(int axis, long from, long to) {
        INDArrayIndex[] index = {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()};
        index[axis] = NDArrayIndex.interval(from, to);
        return index;
    }

    private static void destroy(String id) {
        var manager = Nd4j.getWorkspaceManager();
        if (manager.checkIfWorkspaceExists(id)) {
            manager.destroyWorkspace(manager.getWorkspaceForCurrentThread(id));
        }
    }
}
