package featviz.param;

import java.util.SplittableRandom;

/**
 * Gaussian start values from a seed, the same on every backend and JVM: drawn in Java rather than by ND4J's
 * generator, by Box-Muller on {@link SplittableRandom#nextDouble} with {@link StrictMath}, whose results
 * the JDK fixes bit for bit.
 */
final class SeededNoise {
    private SeededNoise() {
    }

    static double[] gaussian(long seed, int count, double std) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] out = new double[count];
        for (int i = 0; i < count; i += 2) {
            double u1 = 1.0 - random.nextDouble(); // in (0, 1], so the log is finite
            double u2 = random.nextDouble();
            double radius = std * StrictMath.sqrt(-2 * StrictMath.log(u1));
            out[i] = radius * StrictMath.cos(2 * Math.PI * u2);
            if (i + 1 < count) {
                out[i + 1] = radius * StrictMath.sin(2 * Math.PI * u2);
            }
        }
        return out;
    }
}
