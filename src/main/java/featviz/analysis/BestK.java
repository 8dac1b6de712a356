package featviz.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The K best of a stream of items, in memory for K: a heap with the worst of the kept ones on top, so a
 * directory of any size costs K items per unit. With a total order (ties broken by arrival), the result does not
 * depend on how the stream was batched.
 */
final class BestK<T> {
    private final int k;
    private final Comparator<T> bestFirst;
    private final PriorityQueue<T> keptWorstFirst;

    BestK(int k, Comparator<T> bestFirst) {
        this.k = k;
        this.bestFirst = bestFirst;
        this.keptWorstFirst = new PriorityQueue<>(bestFirst.reversed());
    }

    void offer(T item) {
        keptWorstFirst.add(item);
        if (keptWorstFirst.size() > k) {
            keptWorstFirst.poll();
        }
    }

    /** The kept items (K, or fewer if fewer came), best first. */
    List<T> bestFirst() {
        List<T> list = new ArrayList<>(keptWorstFirst);
        list.sort(bestFirst);
        return list;
    }
}
