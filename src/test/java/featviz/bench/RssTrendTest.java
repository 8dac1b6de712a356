package featviz.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Growth is measured between stretch means, so the trim saw-tooth does not decide it but a real rise does. */
class RssTrendTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aSawToothAroundAFlatLevelIsFlat() {
        RssTrend trend = new RssTrend();
        for (int i = 0; i <= 200; i++) { // 20 s, sampled every 100 ms; RSS climbs 4% and drops every 5 s
            long t = i * SECOND / 10;
            trend.add(t, (long) (100e6 * (1 + 0.04 * ((t % (5 * SECOND)) / (double) (5 * SECOND)))));
        }
        assertEquals(0.0, trend.growthPercent(), 0.2);
    }

    @Test
    void aSteadyRiseIsMeasured() {
        RssTrend trend = new RssTrend();
        for (int i = 0; i <= 200; i++) { // 20 s, rising 1% per second
            trend.add(i * SECOND / 10, (long) (100e6 * (1 + 0.01 * i / 10.0)));
        }
        // stretch means at 2.5 s and 17.5 s: 102.5 -> 117.5
        assertEquals(100.0 * 15 / 102.5, trend.growthPercent(), 0.1);
    }

    @Test
    void aShortRunUsesQuartersAndFewSamplesGiveZero() {
        RssTrend trend = new RssTrend();
        assertEquals(0.0, trend.growthPercent());
        trend.add(0, 100);
        assertEquals(0.0, trend.growthPercent());
        trend.add(SECOND, 100);
        trend.add(2 * SECOND, 100);
        trend.add(3 * SECOND, 110);
        assertEquals(10.0, trend.growthPercent(), 1e-9); // 3 s run: first and last 0.75 s hold one sample each
    }
}
