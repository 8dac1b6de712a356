package featviz.transform;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bilinear resampling of every H x W plane of a batch onto an h x w grid: each output pixel reads the four
 * source pixels around a source point with fixed weights, zero for taps outside the source. That makes
 * the map linear and sparse; {@link #gather} applies it and {@link #scatter} its exact adjoint (each
 * output's gradient returned to the same four pixels with the same weights), both in a few plain loops,
 * far cheaper than dense interpolation matrices. The CPU's sampler: {@link Sampler} picks ND4J ops instead
 * on the portable path.
 */
final class BilinearSampler implements Sampler {
    private final long[] inputShape;
    private final long[] outputShape;
    private final int inPixels;
    private final int outPixels;
    /** Four source indices per output pixel; taps outside the source have weight 0 and index 0. */
    private final int[] index;
    private final double[] weight;

    private interface SourcePoint {
        /** Writes the source point (x, y) of output pixel (x, y) into {@code out}. */
        void of(int x, int y, double[] out);
    }

    private BilinearSampler(long[] inputShape, int outHeight, int outWidth, SourcePoint source) {
        this.inputShape = inputShape.clone();
        this.outputShape = new long[] {inputShape[0], inputShape[1], outHeight, outWidth};
        int height = (int) inputShape[2];
        int width = (int) inputShape[3];
        this.inPixels = height * width;
        this.outPixels = outHeight * outWidth;
        this.index = new int[4 * outPixels];
        this.weight = new double[4 * outPixels];
        double[] point = new double[2];
        for (int y = 0; y < outHeight; y++) {
            for (int x = 0; x < outWidth; x++) {
                source.of(x, y, point);
                int x0 = (int) Math.floor(point[0]);
                int y0 = (int) Math.floor(point[1]);
                double fx = point[0] - x0;
                double fy = point[1] - y0;
                int t = 4 * (y * outWidth + x);
                tap(t, y0, x0, (1 - fy) * (1 - fx), height, width);
                tap(t + 1, y0, x0 + 1, (1 - fy) * fx, height, width);
                tap(t + 2, y0 + 1, x0, fy * (1 - fx), height, width);
                tap(t + 3, y0 + 1, x0 + 1, fy * fx, height, width);
            }
        }
    }

    /**
     * Rotation about the plane's centre, same size out, zeros where the picture does not reach. Positive
     * angles turn the picture counterclockwise as displayed (y pointing down).
     */
    static BilinearSampler rotation(long[] inputShape, double degrees) {
        double radians = Math.toRadians(degrees);
        double cos = Math.cos(radians);
        double sin = Math.sin(radians);
        double cy = (inputShape[2] - 1) / 2.0;
        double cx = (inputShape[3] - 1) / 2.0;
        return new BilinearSampler(inputShape, (int) inputShape[2], (int) inputShape[3], (x, y, out) -> {
            // the inverse rotation of the output pixel's offset from the centre
            double dx = x - cx;
            double dy = y - cy;
            out[0] = cx + cos * dx - sin * dy;
            out[1] = cy + sin * dx + cos * dy;
        });
    }

    /**
     * Resize to h x w with pixel centres aligned (half-pixel, as PyTorch's {@code align_corners=False} and
     * TF2) and source points clamped to the edge pixels, so every output is a convex mix: grey stays grey.
     */
    static BilinearSampler resize(long[] inputShape, int outHeight, int outWidth) {
        double ry = (double) inputShape[2] / outHeight;
        double rx = (double) inputShape[3] / outWidth;
        double maxY = inputShape[2] - 1;
        double maxX = inputShape[3] - 1;
        return new BilinearSampler(inputShape, outHeight, outWidth, (x, y, out) -> {
            out[0] = Math.min(Math.max((x + 0.5) * rx - 0.5, 0), maxX);
            out[1] = Math.min(Math.max((y + 0.5) * ry - 0.5, 0), maxY);
        });
    }

    private void tap(int t, int y, int x, double w, int height, int width) {
        if (y >= 0 && y < height && x >= 0 && x < width) {
            index[t] = y * width + x;
            weight[t] = w;
        }
    }

    @Override
    public INDArray gather(INDArray image) {
        check(image, inputShape);
        double[] in = values(image);
        double[] out = new double[(int) (inputShape[0] * inputShape[1]) * outPixels];
        for (int from = 0, to = 0; to < out.length; from += inPixels, to += outPixels) {
            for (int p = 0, t = 0; p < outPixels; p++, t += 4) {
                out[to + p] = weight[t] * in[from + index[t]] + weight[t + 1] * in[from + index[t + 1]]
                        + weight[t + 2] * in[from + index[t + 2]] + weight[t + 3] * in[from + index[t + 3]];
            }
        }
        return Nd4j.create(out, outputShape, image.dataType());
    }

    @Override
    public INDArray scatter(INDArray grad) {
        check(grad, outputShape);
        double[] g = values(grad);
        double[] out = new double[(int) (inputShape[0] * inputShape[1]) * inPixels];
        for (int from = 0, to = 0; from < g.length; from += outPixels, to += inPixels) {
            for (int p = 0, t = 0; p < outPixels; p++, t += 4) {
                double v = g[from + p];
                out[to + index[t]] += weight[t] * v;
                out[to + index[t + 1]] += weight[t + 1] * v;
                out[to + index[t + 2]] += weight[t + 2] * v;
                out[to + index[t + 3]] += weight[t + 3] * v;
            }
        }
        return Nd4j.create(out, inputShape, grad.dataType());
    }

    /** The values in c order as doubles: the arithmetic is done in double for any data type. */
    private static double[] values(INDArray a) {
        INDArray c = a.ordering() == 'c' && !a.isView() ? a : a.dup('c');
        double[] v = c.data().asDouble();
        return v.length == c.length() ? v : Arrays.copyOf(v, (int) c.length());
    }

    private static void check(INDArray a, long[] shape) {
        if (!Arrays.equals(a.shape(), shape)) {
            throw new IllegalArgumentException("expected " + Arrays.toString(shape) + ", got " + Arrays.toString(a.shape()));
        }
    }
}
