package featviz.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether resident memory stays flat over a run: the mean RSS over the last stretch of the run against the
 * mean over the stretch that starts at the first sample (step 50 in {@code featviz bench}).
 *
 * <p>Means over stretches, not two single readings: the launcher has glibc hand free pages back every 5 s
 * ({@code TrimNativeHeapInterval}), so RSS saw-tooths by about 2% between trims, and two single readings
 * differed by anything from -1% to +5% on the same flat run. A stretch is {@value #STRETCH_NANOS} ns (one trim
 * period), or a quarter of the run when the run is shorter than four periods.
 */
public final class RssTrend {
    static final long STRETCH_NANOS = 5_000_000_000L;

    private final List<long[]> samples = new ArrayList<>(); // {nanoTime, rss bytes}

    /** Records the current RSS; nothing where /proc is not there. */
    public void sample() {
        add(System.nanoTime(), ProcessStats.rss());
    }

    void add(long nanos, long rss) {
        if (rss >= 0) {
            samples.add(new long[] {nanos, rss});
        }
    }

    /** Growth in percent from the first stretch to the last; 0 with fewer than two samples. */
    public double growthPercent() {
        if (samples.size() < 2) {
            return 0;
        }
        long first = samples.get(0)[0], last = samples.get(samples.size() - 1)[0];
        long stretch = Math.min(STRETCH_NANOS, (last - first) / 4);
        double start = mean(first, first + stretch), end = mean(last - stretch, last);
        return 100.0 * (end - start) / start;
    }

    private double mean(long from, long to) {
        double sum = 0;
        int n = 0;
        for (long[] s : samples) {
            if (s[0] >= from && s[0] <= to) {
                sum += s[1];
                n++;
            }
        }
        return sum / n; // never empty: both ends are samples
    }
}
