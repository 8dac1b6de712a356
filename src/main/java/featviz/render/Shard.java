package featviz.render;

import featviz.UsageException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --shard K/N}: part K (1-based) of N of a channel list. Channels are dealt round-robin by their
 * position in the sorted selection, so the N parts are disjoint, cover everything, and take equal shares
 * of the shallow and deep ends whatever the order. Deterministic: every machine computes the same split.
 */
public record Shard(int index, int count) {
    public static final Shard ALL = new Shard(1, 1);

    public static Shard parse(String spec) {
        String[] parts = spec.trim().split("/");
        try {
            if (parts.length == 2) {
                int k = Integer.parseInt(parts[0].trim());
                int n = Integer.parseInt(parts[1].trim());
                if (n >= 1 && k >= 1 && k <= n) {
                    return new Shard(k, n);
                }
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new UsageException("--shard '" + spec + "' must be K/N with 1 <= K <= N, e.g. 2/8");
    }

    public <T> List<T> select(List<T> items) {
        List<T> mine = new ArrayList<>();
        for (int i = index - 1; i < items.size(); i += count) {
            mine.add(items.get(i));
        }
        return mine;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
