package featviz.render;

import featviz.UsageException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Which channels to render: {@code --index 4}, {@code 4,9,17}, {@code 0-63}, {@code all}, or a mix
 * ({@code 0-3,10,20-22}). Parsed against the layer's channel count; the result is sorted and unique, so the
 * same selection always gives the same order (shards and resumed runs rely on it).
 */
public final class ChannelSelection {
    private ChannelSelection() {
    }

    public static List<Long> parse(String spec, long channels, String layer) {
        String s = spec.trim();
        if (s.equalsIgnoreCase("all")) {
            List<Long> all = new ArrayList<>();
            for (long c = 0; c < channels; c++) {
                all.add(c);
            }
            return all;
        }
        TreeSet<Long> result = new TreeSet<>();
        for (String part : s.split(",", -1)) {
            String p = part.trim();
            try {
                int dash = p.indexOf('-', 1);
                long from = Long.parseLong(dash < 0 ? p : p.substring(0, dash).trim());
                long to = dash < 0 ? from : Long.parseLong(p.substring(dash + 1).trim());
                if (to < from) {
                    throw new UsageException("--index range '" + p + "' runs backwards");
                }
                for (long c = from; c <= to; c++) {
                    check(c, channels, layer);
                    result.add(c);
                }
            } catch (NumberFormatException e) {
                throw new UsageException("--index '" + spec + "': '" + p
                        + "' is not a channel, a range like 0-63, or all");
            }
        }
        return new ArrayList<>(result);
    }

    private static void check(long c, long channels, String layer) {
        if (c < 0 || c >= channels) {
            throw new UsageException("--index " + c + " is out of range: " + layer + " has " + channels
                    + " channels (0-" + (channels - 1) + ")");
        }
    }
}
