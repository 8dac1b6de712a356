package featviz.model.op;

import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Frees native arrays at their last use. ND4J frees an array's native buffer only when the JVM collects its
 * small Java handle, which a nearly idle heap rarely does; the network therefore runs outside any workspace
 * and hands every activation and gradient back the moment nothing will read it again, so its peak memory is
 * what the pass needs at once (as PyTorch's), not everything a step ever allocated.
 *
 * <p>The ops' own arrays come from {@link #allocate}, which recycles the buffers {@link #release} hands
 * back: every step allocates the same sizes in the same order, so after the first step the same buffers
 * serve every step (only buffers of 32 MB and more may be freed and made again, see {@link #evict}).
 * A request takes the smallest free buffer of its length up to 1.5 times it ({@link #SLACK}) (best fit), not only
 * one of its exact length: Lucid's random scaling feeds the network 11 sizes (factors 0.9 to 1.1, areas within
 * 1.5x of each other), and an exact-length pool kept a whole pass's buffers for each of them (VGG19 at 224:
 * 1.3-1.7 GB instead of 0.5) and, until every size had come once, allocated new ones: libnd4j zeroes every
 * new buffer, and the first touch of its pages faults, which took 18% of a Lucid step's CPU time in a 33-step
 * profile (bench/PROFILE.md). An array on a longer buffer is a "view" to ND4J ({@link INDArray#isView}):
 * code that needs contiguous memory asks {@link #contiguous} instead.
 * Freeing and re-allocating hundreds of megabytes a step fragmented the C heap: resident memory grew 8-10%
 * over 1000 VGG19 steps at 64 px, 2-3.5% with the pool and the launcher's periodic heap trim.
 */
public final class Memory {
    private record Size(DataType type, long length) {
    }

    /** Free buffers by data type, then by length. */
    private static final Map<DataType, TreeMap<Long, ArrayDeque<DataBuffer>>> FREE = new HashMap<>();
    /**
     * How much longer than asked a recycled buffer may be: Lucid's scale factors span (1.1 / 0.9)^2 = 1.49 in area.
     * {@code -Dfeatviz.poolSlack=1} recycles exact lengths only, as before, for the benchmark's comparison.
     */
    static final double SLACK = Math.max(1, Double.parseDouble(System.getProperty("featviz.poolSlack", "1.5")));
    // Buffers lent out, by native address. Weakly: an array its user never releases is still freed by the
    // garbage collector, as any ND4J array is.
    private static final Map<Long, WeakReference<DataBuffer>> LENT = new HashMap<>();
    private static final long LARGE = 32L << 20;
    private static boolean recycling = true;
    private static long buffersCreated;

    private Memory() {
    }

    /**
     * An uninitialised dense array, outside any workspace, on a recycled buffer of the same type and length
     * when one is free. Hand it back with {@link #release} at its last use.
     */
    public static synchronized INDArray allocate(DataType type, long... shape) {
        long length = 1;
        for (long d : shape) {
            length *= d;
        }
        if (length == 0) {
            return Nd4j.create(type, shape);
        }
        if (!recycling) {
            try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                return Nd4j.createUninitialized(type, shape);
            }
        }
        DataBuffer buffer = bestFit(type, length);
        if (buffer == null) {
            evict(length * type.width());
            try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                buffer = Nd4j.createBuffer(type, length, false);
            }
            buffersCreated++;
        }
        if (LENT.size() > 4096) {
            LENT.values().removeIf(r -> r.get() == null);
        }
        LENT.put(buffer.address(), new WeakReference<>(buffer));
        return Nd4j.create(buffer, shape, Nd4j.getStrides(shape, 'c'), 0, 'c', type);
    }

    /** The shortest free buffer of at least {@code length} and at most {@link #SLACK} times it, taken from the pool. */
    private static DataBuffer bestFit(DataType type, long length) {
        TreeMap<Long, ArrayDeque<DataBuffer>> byLength = FREE.get(type);
        if (byLength == null) {
            return null;
        }
        for (Map.Entry<Long, ArrayDeque<DataBuffer>> e : byLength.subMap(length, true, (long) (length * SLACK), true).entrySet()) {
            DataBuffer b = e.getValue().poll();
            if (b != null) {
                return b;
            }
        }
        return null;
    }

    /**
     * Whether {@code a} is dense in row-major order from its first element: true of {@link #allocate}'s arrays
     * even on a longer buffer, which ND4J calls views.
     */
    public static boolean contiguous(INDArray a) {
        if (a.ordering() != 'c' || a.offset() != 0) {
            return false;
        }
        return !a.isView() || a.data().originalDataBuffer() == null
                && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(a);
    }

    /**
     * Before a new large buffer: frees waiting buffers of other sizes, largest first, until as many bytes are
     * free. Otherwise the pool would hold every size's largest count at once, more than a pass ever has live:
     * VGG19 at batch 8 peaked at 1558 MB instead of 1268, its block1 gradients (103 MB each) allocated while
     * the pool held the freed buffers of the deeper layers. Only large buffers are evicted, and only for a
     * large one: glibc maps those (32 MB and up) straight from the system and unmaps them when freed, so
     * evicting them returns the memory at once, while the small ones stay recycled (evicting those too made
     * nearly every buffer of a small network's next pass a new one).
     */
    private static void evict(long bytes) {
        if (bytes < LARGE) {
            return;
        }
        long freed = 0;
        List<Size> sizes = new ArrayList<>();
        FREE.forEach((type, byLength) -> byLength.keySet().forEach(length -> sizes.add(new Size(type, length))));
        sizes.sort(Comparator.comparingLong((Size k) -> k.length() * k.type().width()).reversed());
        for (Size size : sizes) {
            ArrayDeque<DataBuffer> free = FREE.get(size.type()).get(size.length());
            while (freed < bytes && !free.isEmpty() && size.length() * size.type().width() >= LARGE) {
                DataBuffer b = free.poll();
                freed += b.length() * b.getElementSize();
                b.close();
            }
        }
    }

    /** {@link #allocate}, filled with zeros. */
    public static INDArray zeros(DataType type, long... shape) {
        return allocate(type, shape).assign(0);
    }

    /**
     * Ends {@code a}'s buffer now: back to the pool when {@link #allocate} lent it, freed when {@code a}
     * owns it otherwise (not a view, not in a workspace); otherwise does nothing and leaves it to its owner.
     * Every array on that buffer (reshapes of it too) is dead after this.
     */
    public static void release(INDArray a) {
        if (a == null) {
            return;
        }
        synchronized (Memory.class) {
            DataBuffer buffer = root(a);
            WeakReference<DataBuffer> lent = LENT.get(buffer.address());
            if (lent != null && lent.get() == buffer) {
                LENT.remove(buffer.address());
                FREE.computeIfAbsent(buffer.dataType(), k -> new TreeMap<>())
                        .computeIfAbsent(buffer.length(), k -> new ArrayDeque<>()).push(buffer);
                return;
            }
            TreeMap<Long, ArrayDeque<DataBuffer>> byLength = FREE.get(buffer.dataType());
            ArrayDeque<DataBuffer> free = byLength == null ? null : byLength.get(buffer.length());
            if (free != null && free.stream().anyMatch(b -> b == buffer)) {
                return; // released twice: it is in the pool already
            }
        }
        if (!a.wasClosed() && a.closeable()) {
            a.close();
        }
    }

    /**
     * Frees the buffers waiting in the pool: after a render, whose sizes the next one may not share (a
     * different layer, image size or batch).
     */
    public static synchronized void emptyPool() {
        FREE.values().forEach(byLength -> byLength.values().forEach(q -> q.forEach(DataBuffer::close)));
        FREE.clear();
    }

    /**
     * Turns recycling off (arrays are then freed at release, and using one after would fail) or on again,
     * emptying the pool. For tests that check each array is released exactly when it should be.
     */
    public static synchronized void recycling(boolean on) {
        recycling = on;
        emptyPool();
    }

    /** How many buffers {@link #allocate} has had to create, rather than recycle, so far. */
    public static synchronized long buffersCreated() {
        return buffersCreated;
    }

    /**
     * Whether {@code a} shares its buffer with one of {@code arrays}: ops pass arrays through unchanged or
     * reshaped, and a reshape of a whole array is a second handle on the same buffer (ND4J does not even
     * call it a view), so closing either frees both.
     */
    public static boolean sharesBuffer(INDArray a, INDArray... arrays) {
        for (INDArray b : arrays) {
            if (b != null && (a == b || root(a) == root(b))) {
                return true;
            }
        }
        return false;
    }

    private static DataBuffer root(INDArray a) {
        var data = a.data();
        return data.originalDataBuffer() != null ? data.originalDataBuffer() : data;
    }
}
