package featviz.io;

/**
 * Resizes image planes with weights computed from the two sizes alone, in plain Java arithmetic, so a
 * resize gives the same floats on every run and JVM (Java2D's scaling depends on rendering hints and
 * on which pipeline is active).
 *
 * <p>Each axis is resampled on its own. Shrinking averages the source area that an output pixel covers,
 * counting partly covered pixels by the covered fraction (a box filter: every source pixel counts, so
 * fine detail is averaged rather than aliased). Enlarging interpolates linearly between pixel centres.
 * Values are resampled as stored (sRGB-encoded), as common CNN preprocessing does.
 */
final class Resampler {
    private Resampler() {
    }

    static Planes resize(Planes source, int height, int width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("cannot resize to " + height + " x " + width);
        }
        if (height == source.height() && width == source.width()) {
            return source;
        }
        Taps columns = Taps.between(source.width(), width);
        Taps rows = Taps.between(source.height(), height);
        int sourceHeight = source.height();
        int sourceWidth = source.width();
        float[] in = source.values();
        int channels = source.channels();
        float[] wide = new float[channels * sourceHeight * width];
        for (int line = 0; line < channels * sourceHeight; line++) {
            for (int x = 0; x < width; x++) {
                wide[line * width + x] = columns.apply(in, line * sourceWidth, 1, x);
            }
        }
        float[] out = new float[channels * height * width];
        for (int c = 0; c < channels; c++) {
            int planeIn = c * sourceHeight * width;
            int planeOut = c * height * width;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    out[planeOut + y * width + x] = rows.apply(wide, planeIn + x, width, y);
                }
            }
        }
        return new Planes(channels, height, width, out);
    }

    /** For each output index along one axis: the first source index it reads and the weights from there on. */
    static final class Taps {
        final int[] first;
        final double[][] weights;

        private Taps(int[] first, double[][] weights) {
            this.first = first;
            this.weights = weights;
        }

        static Taps between(int sourceSize, int targetSize) {
            return targetSize < sourceSize ? averaging(sourceSize, targetSize) : interpolating(sourceSize, targetSize);
        }

        /** The weighted sum for output {@code index} over values {@code start + i * stride}. */
        float apply(float[] values, int start, int stride, int index) {
            double[] w = weights[index];
            int position = start + first[index] * stride;
            double sum = 0;
            for (int i = 0; i < w.length; i++, position += stride) {
                sum += w[i] * values[position];
            }
            return (float) sum;
        }

        private static Taps averaging(int sourceSize, int targetSize) {
            int[] first = new int[targetSize];
            double[][] weights = new double[targetSize][];
            double span = (double) sourceSize / targetSize;
            for (int j = 0; j < targetSize; j++) {
                // Output j covers [j * span, (j + 1) * span) of the source, computed from integers so the
                // last output ends exactly at the source's edge.
                double from = (double) j * sourceSize / targetSize;
                double to = (double) (j + 1) * sourceSize / targetSize;
                int start = (int) Math.floor(from);
                int end = Math.min(sourceSize, (int) Math.ceil(to));
                double[] w = new double[end - start];
                double total = 0;
                for (int i = start; i < end; i++) {
                    double covered = Math.min(i + 1, to) - Math.max(i, from);
                    w[i - start] = Math.max(covered, 0);
                    total += w[i - start];
                }
                // Normalising by the actual total rather than by span keeps a flat area exactly flat.
                for (int i = 0; i < w.length; i++) {
                    w[i] /= total;
                }
                first[j] = start;
                weights[j] = w;
            }
            return new Taps(first, weights);
        }

        private static Taps interpolating(int sourceSize, int targetSize) {
            int[] first = new int[targetSize];
            double[][] weights = new double[targetSize][];
            for (int j = 0; j < targetSize; j++) {
                // The centre of output pixel j, in source pixel coordinates.
                double centre = (j + 0.5) * sourceSize / targetSize - 0.5;
                if (centre <= 0) {
                    first[j] = 0;
                    weights[j] = new double[] {1};
                } else if (centre >= sourceSize - 1) {
                    first[j] = sourceSize - 1;
                    weights[j] = new double[] {1};
                } else {
                    int left = (int) Math.floor(centre);
                    double fraction = centre - left;
                    first[j] = left;
                    weights[j] = new double[] {1 - fraction, fraction};
                }
            }
            return new Taps(first, weights);
        }
    }
}
