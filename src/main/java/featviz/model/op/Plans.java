package featviz.model.op;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The native primitives an op built for its last {@value #KEPT} input shapes, most recently used first: Lucid's
 * random scaling feeds the network a handful of sizes in turn (the standard transforms make 11), so they are
 * built once; the eldest is freed when a new shape comes, and all of them by {@link #close} (the op's Cleaner).
 * A shape oneDNN declined is remembered as null, so it is not asked again.
 */
final class Plans<K, P extends Plans.Native> {
    static final int KEPT = 16;

    /** Something holding native memory. */
    interface Native {
        void close();
    }

    private final Map<K, P> byKey = new LinkedHashMap<>(KEPT, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<K, P> eldest) {
            if (size() <= KEPT) {
                return false;
            }
            if (eldest.getValue() != null) {
                eldest.getValue().close();
            }
            return true;
        }
    };

    /** The plan for this key, built the first time (null when the builder declines). */
    P get(K key, Function<K, P> build) {
        if (byKey.containsKey(key)) {
            return byKey.get(key);
        }
        P plan = build.apply(key);
        byKey.put(key, plan);
        return plan;
    }

    void close() {
        byKey.values().stream().filter(Objects::nonNull).forEach(Native::close);
        byKey.clear();
    }
}
