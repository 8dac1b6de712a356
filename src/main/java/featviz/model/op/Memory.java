package featviz.model.op;

import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * Freeing and re-allocating hundreds of megabytes a step fragmented the C heap: resident memory grew 8-10%
 * over 1000 VGG19 steps at 64 px, 2-3.5% with the pool and the launcher's periodic heap trim.
 */
public final class Memory {
    private record Size(DataType type, long length) {
    }

    private static final Map<Size, ArrayDeque<DataBuffer>> FREE = new HashMap<>();
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
        ArrayDeque<DataBuffer> free = FREE.get(new Size(type, length));
        DataBuffer buffer = free == null ? null : free.poll();
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
        List<Size> sizes = new ArrayList<>(FREE.keySet());
        sizes.sort(Comparator.comparingLong((Size k) -> k.length() * k.type().width()).reversed());
        for (Size size : sizes) {
            ArrayDeque<DataBuffer> free = FREE.get(size);
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
            Size size = new Size(buffer.dataType(), buffer.length());
            if (lent != null && lent.get() == buffer) {
                LENT.remove(buffer.address());
                FREE.computeIfAbsent(size, k -> new ArrayDeque<>()).push(buffer);
                return;
            }
            ArrayDeque<DataBuffer> free = FREE.get(size);
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
        FREE.values().forEach(q -> q.forEach(DataBuffer::close));
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
