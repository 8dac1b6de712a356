package featviz;

import java.util.Random;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Central finite differences in double precision, to hold analytic input gradients against. FLOAT finite
 * differences are too noisy for this; callers pass DOUBLE networks.
 */
public final class GradientCheck {
    private GradientCheck() {
    }

    /**
     * Largest relative error between {@code grad} and the central difference of {@code f} at {@code x},
     * over {@code samples} coordinates (all of them if samples >= x.length()), with the error of each
     * coordinate measured as |a - n| / max(|a| + |n|, floor).
     */
    public static double maxRelativeError(Function<INDArray, Double> f, INDArray x, INDArray grad, int samples,
                                          long seed) {
        double h = 1e-6;
        INDArray flatX = x.reshape(x.length());
        INDArray flatG = grad.reshape(grad.length());
        double floor = 1e-8 * Math.max(1.0, flatG.amaxNumber().doubleValue());
        Random random = new Random(seed);
        long n = x.length();
        double worst = 0;
        for (int s = 0; s < Math.min(samples, n); s++) {
            long i = samples >= n ? s : (long) (random.nextDouble() * n);
            double orig = flatX.getDouble(i);
            flatX.putScalar(i, orig + h);
            double plus = f.apply(x);
            flatX.putScalar(i, orig - h);
            double minus = f.apply(x);
            flatX.putScalar(i, orig);
            double numeric = (plus - minus) / (2 * h);
            double analytic = flatG.getDouble(i);
            double err = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic) + Math.abs(numeric), floor);
            worst = Math.max(worst, err);
        }
        return worst;
    }

    /**
     * {@link #maxRelativeError} at every coordinate of one image {@code x} [1, ...], for an objective that
     * treats the images of a batch independently (a network in inference mode): all the perturbed copies
     * of x go through {@code f} as one batch, two calls in all instead of two per coordinate.
     *
     * @param f maps a batch [P, ...] to its P objective values (any shape of length P)
     */
    public static double maxRelativeErrorBatched(Function<INDArray, INDArray> f, INDArray x, INDArray grad) {
        if (x.size(0) != 1) {
            throw new IllegalArgumentException("one image, not " + x.size(0));
        }
        double h = 1e-6;
        int n = Math.toIntExact(x.length());
        INDArray flatG = grad.reshape(grad.length());
        double floor = 1e-8 * Math.max(1.0, flatG.amaxNumber().doubleValue());
        long[] batchShape = x.shape().clone();
        batchShape[0] = n;
        INDArray copies = x.reshape(1, n).repeat(0, n);
        INDArray step = org.nd4j.linalg.factory.Nd4j.eye(n).castTo(x.dataType()).muli(h);
        INDArray plus = f.apply(copies.add(step).reshape(batchShape));
        INDArray minus = f.apply(copies.sub(step).reshape(batchShape));
        INDArray numeric = plus.reshape(n).sub(minus.reshape(n)).divi(2 * h);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double a = flatG.getDouble(i);
            double d = numeric.getDouble(i);
            worst = Math.max(worst, Math.abs(a - d) / Math.max(Math.abs(a) + Math.abs(d), floor));
        }
        return worst;
    }

    /**
     * Relative error of the directional derivative along a random direction v: {@code <grad, v>} against
     * {@code (f(x + h v) - f(x - h v)) / 2h}. One check that involves every coordinate at once.
     */
    public static double directionalError(Function<INDArray, Double> f, INDArray x, INDArray grad, long seed) {
        INDArray v = uniform(x.dataType(), seed, x.shape()).subi(0.5);
        double h = 1e-6;
        double plus = f.apply(x.add(v.mul(h)));
        double minus = f.apply(x.sub(v.mul(h)));
        double numeric = (plus - minus) / (2 * h);
        double analytic = grad.castTo(v.dataType()).mul(v).sumNumber().doubleValue();
        return Math.abs(analytic - numeric) / Math.max(Math.abs(analytic) + Math.abs(numeric), 1e-12);
    }

    /** Seeded uniform [0, 1) values, the same on every backend. */
    public static INDArray uniform(org.nd4j.linalg.api.buffer.DataType dt, long seed, long... shape) {
        Random random = new Random(seed);
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double[] values = new double[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble();
        }
        return org.nd4j.linalg.factory.Nd4j.create(values, shape, 'c').castTo(dt);
    }
}
