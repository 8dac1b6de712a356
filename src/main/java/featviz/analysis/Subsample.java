package featviz.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which points an exact t-SNE maps when there are more than it can afford: each group keeps its share of
 * {@code max} (at least one point), chosen by a seeded shuffle, in the original order.
 */
public final class Subsample {
    private Subsample() {
    }

    /** Indexes into the concatenated groups (sizes given), all of them when the total is at most {@code max}. */
    public static List<Integer> indices(int[] groupSizes, int max, long seed) {
        int total = 0;
        for (int s : groupSizes) {
            total += s;
        }
        List<Integer> chosen = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(seed);
        int offset = 0;
        for (int size : groupSizes) {
            int keep = total <= max ? size : Math.max(1, (int) Math.floor((long) max * size / (double) total));
            int[] perm = new int[size];
            for (int i = 0; i < size; i++) {
                perm[i] = i;
            }
            for (int i = 0; i < keep; i++) { // partial Fisher-Yates: the first keep entries are a uniform sample
                int j = i + random.nextInt(size - i);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            java.util.Arrays.sort(perm, 0, keep);
            for (int i = 0; i < keep; i++) {
                chosen.add(offset + perm[i]);
            }
            offset += size;
        }
        return chosen;
    }
}
