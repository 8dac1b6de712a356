package featviz.analysis;

import featviz.UsageException;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exact t-SNE (van der Maaten and Hinton 2008) to 2-D, with the usual optimisation schedule (as scikit-learn's):
 * inputs reduced to 50 principal components, perplexity-calibrated Gaussian affinities, early exaggeration 12
 * for 250 iterations with momentum 0.5, then momentum 0.8; learning rate max(n / 48, 50); per-coordinate gains.
 *
 * <p>Exact, so each iteration costs n^2 and memory is two n x n float matrices: callers bound n (featviz embed
 * maps at most {@code --tsne-points} images, 2,000 by default: 32 MB). Deterministic: a seeded start, and
 * each row's sums are computed by one thread in a fixed order, whatever the number of threads.
 *
 * <p>Why not a library: no Barnes-Hut t-SNE is on Maven Central that fits. DL4J's own
 * ({@code deeplearning4j-tsne}) was last published for 1.0.0-beta7 and needs that release's ND4J and
 * nearest-neighbour modules; Smile's is LGPL (2.x) or GPL (3.x+).
 */
public final class Tsne {
    public static final double DEFAULT_PERPLEXITY = 30;
    private static final int PCA_DIMS = 50;
    private static final double EXAGGERATION = 12;
    private static final int EXAGGERATION_ITERATIONS = 250;

    private final double perplexity;
    private final int iterations;
    private final long seed;

    public Tsne(double perplexity, int iterations, long seed) {
        if (!(perplexity > 0)) {
            throw new UsageException("--perplexity must be positive, not " + perplexity);
        }
        if (iterations < 1) {
            throw new UsageException("--iterations must be at least 1, not " + iterations);
        }
        this.perplexity = perplexity;
        this.iterations = iterations;
        this.seed = seed;
    }

    /** The largest perplexity n points support: each point needs about 3 x perplexity neighbours. */
    public static double maxPerplexity(int n) {
        return (n - 1) / 3.0;
    }

    /** @throws UsageException when there are too few points for this perplexity */
    public void check(int n) {
        if (n < 4) {
            throw new UsageException("t-SNE needs at least 4 points, not " + n + ": add images, or use --no-tsne");
        }
        if (n - 1 < 3 * perplexity) {
            throw new UsageException(String.format(Locale.ROOT, "perplexity %s is too large for %d points: t-SNE "
                    + "needs at least 3 x perplexity + 1 = %d; use --perplexity %s or less, or more images",
                    fmt(perplexity), n, (int) Math.ceil(3 * perplexity + 1), fmt(Math.floor(maxPerplexity(n) * 10) / 10)));
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /**
     * @param x points [n, d]
     * @param progress called with each finished iteration
     * @return [n][2] coordinates
     */
    public double[][] fit(INDArray x, IntConsumer progress) {
        int n = (int) x.size(0);
        check(n);
        INDArray reduced = x.size(1) > PCA_DIMS ? Pca.project(x, PCA_DIMS) : x;
        double[][] points = reduced.toDoubleMatrix();
        float[] p = affinities(points);
        double[] y = new double[2 * n];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < y.length; i++) {
            y[i] = 1e-4 * gaussian(random);
        }
        double[] update = new double[2 * n];
        double[] gains = new double[2 * n];
        java.util.Arrays.fill(gains, 1);
        double rate = Math.max(n / EXAGGERATION / 4, 50);
        float[] q = new float[n * n];
        double[] rowSums = new double[n];
        double[] grad = new double[2 * n];
        for (int it = 0; it < iterations; it++) {
            boolean early = it < EXAGGERATION_ITERATIONS;
            double exaggeration = early ? EXAGGERATION : 1;
            double momentum = early ? 0.5 : 0.8;
            // Student-t kernel: q[i][j] = 1 / (1 + |y_i - y_j|^2), normalised by its sum over all i != j.
            IntStream.range(0, n).parallel().forEach(i -> {
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    if (j == i) {
                        q[i * n + j] = 0;
                        continue;
                    }
                    double dx = y[2 * i] - y[2 * j];
                    double dy = y[2 * i + 1] - y[2 * j + 1];
                    float k = (float) (1 / (1 + dx * dx + dy * dy));
                    q[i * n + j] = k;
                    sum += k;
                }
                rowSums[i] = sum;
            });
            double z = 0;
            for (double s : rowSums) {
                z += s;
            }
            double total = z;
            IntStream.range(0, n).parallel().forEach(i -> {
                double gx = 0;
                double gy = 0;
                for (int j = 0; j < n; j++) {
                    double k = q[i * n + j];
                    double m = (exaggeration * p[i * n + j] - k / total) * k;
                    gx += m * (y[2 * i] - y[2 * j]);
                    gy += m * (y[2 * i + 1] - y[2 * j + 1]);
                }
                grad[2 * i] = 4 * gx;
                grad[2 * i + 1] = 4 * gy;
            });
            for (int c = 0; c < 2 * n; c++) {
                gains[c] = update[c] * grad[c] < 0 ? gains[c] + 0.2 : Math.max(gains[c] * 0.8, 0.01);
                update[c] = momentum * update[c] - rate * gains[c] * grad[c];
                y[c] += update[c];
            }
            centre(y, n);
            progress.accept(it + 1);
        }
        double[][] out = new double[n][2];
        for (int i = 0; i < n; i++) {
            out[i][0] = y[2 * i];
            out[i][1] = y[2 * i + 1];
        }
        return out;
    }

    /** Symmetric joint probabilities p_ij = (p_j|i + p_i|j) / 2n, each row's Gaussian calibrated to the perplexity. */
    private float[] affinities(double[][] x) {
        int n = x.length;
        double[] conditional = new double[n * n];
        double target = Math.log(perplexity);
        IntStream.range(0, n).parallel().forEach(i -> {
            double[] d = new double[n];
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < x[i].length; k++) {
                    double t = x[i][k] - x[j][k];
                    s += t * t;
                }
                d[j] = s;
            }
            // Binary search on beta = 1 / (2 sigma^2) until the entropy is log(perplexity).
            double beta = 1;
            double lo = 0;
            double hi = Double.POSITIVE_INFINITY;
            double[] row = new double[n];
            for (int step = 0; step < 200; step++) {
                double sum = 0;
                double weighted = 0;
                double minD = Double.POSITIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    if (j != i) {
                        minD = Math.min(minD, d[j]);
                    }
                }
                for (int j = 0; j < n; j++) {
                    row[j] = j == i ? 0 : Math.exp(-beta * (d[j] - minD)); // shifted: no underflow to all zeros
                    sum += row[j];
                    weighted += row[j] * (d[j] - minD);
                }
                double entropy = Math.log(sum) + beta * weighted / sum;
                for (int j = 0; j < n; j++) {
                    row[j] /= sum;
                }
                double diff = entropy - target;
                if (Math.abs(diff) < 1e-5) {
                    break;
                }
                if (diff > 0) {
                    lo = beta;
                    beta = hi == Double.POSITIVE_INFINITY ? beta * 2 : (beta + hi) / 2;
                } else {
                    hi = beta;
                    beta = (beta + lo) / 2;
                }
            }
            System.arraycopy(row, 0, conditional, i * n, n);
        });
        float[] p = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                p[i * n + j] = (float) Math.max((conditional[i * n + j] + conditional[j * n + i]) / (2.0 * n), 1e-12);
            }
            p[i * n + i] = 0;
        }
        return p;
    }

    private static void centre(double[] y, int n) {
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += y[2 * i];
            my += y[2 * i + 1];
        }
        mx /= n;
        my /= n;
        for (int i = 0; i < n; i++) {
            y[2 * i] -= mx;
            y[2 * i + 1] -= my;
        }
    }

    /** Box-Muller from a SplittableRandom, whose stream is specified: the same on every JVM. */
    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
