package featviz.param;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The 2-D real discrete Fourier transform of P planes of H x W, in numpy's conventions ({@code rfft2} /
 * {@code irfft2}: forward unnormalised, inverse divided by H*W), as dense matrix products.
 *
 * <p>ND4J has no usable real FFT, and one DFT matrix per axis is cheap at image sizes when every plane
 * goes through the same product: the inverse is a [2H, 2H] x [2H, P*F] product (a complex inverse DFT along
 * y) and a [P*H, 2F] x [2F, W] product (the real inverse along x), F = W/2 + 1 frequencies kept along x.
 * The adjoint is the same two products transposed, in reverse order.
 *
 * <p>A half spectrum is laid out [H, 2, P, F]: row frequency ky, real or imaginary part, plane, column
 * frequency kx. That order makes the y product a single BLAS call; only the intermediate between the two
 * products is permuted. The imaginary parts at kx = 0 (and kx = W/2 for even W) do not affect the
 * planes, as in {@code irfft}; their gradient is zero.
 */
final class RealDft2 {
    private final int height;
    private final int width;
    private final int freqs;
    private final DataType dataType;
    /** [2H, 2H]: the complex inverse DFT along y on (re, im) pairs, divided by H. */
    private final INDArray alongY;
    private final INDArray alongYTransposed;
    /** [2F, W]: the real inverse DFT along x from (re, im) half rows, divided by W, mirrored bins counted twice. */
    private final INDArray alongX;
    private final INDArray alongXTransposed;

    RealDft2(int height, int width, DataType dataType) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("cannot transform " + height + " x " + width + " planes");
        }
        this.height = height;
        this.width = width;
        this.freqs = frequencies(width);
        this.dataType = dataType;
        try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            this.alongY = complexAlongY(+1, 1.0 / height);
            this.alongYTransposed = alongY.transpose().dup('c');
            this.alongX = inverseAlongX();
            this.alongXTransposed = alongX.transpose().dup('c');
        }
    }

    /** Column frequencies kept in a half spectrum of width w. */
    static int frequencies(int width) {
        return width / 2 + 1;
    }

    /** Half spectra [H, 2, P, F] to planes [P, H, W] (irfft2). */
    INDArray inverse(INDArray spectrum) {
        int planes = checkSpectrum(spectrum.shape());
        INDArray rows = alongY.mmul(spectrum.castTo(dataType).reshape('c', 2L * height, (long) planes * freqs));
        INDArray byPlane = rows.reshape('c', height, 2, planes, freqs).permute(2, 0, 1, 3).dup('c');
        INDArray out = byPlane.reshape('c', (long) planes * height, 2L * freqs).mmul(alongX);
        return out.reshape('c', planes, height, width);
    }

    /** The adjoint (transpose) of {@link #inverse}: a gradient w.r.t. the planes to one w.r.t. the half spectra. */
    INDArray inverseAdjoint(INDArray grad) {
        int planes = checkPlanes(grad.shape());
        INDArray byPlane = grad.castTo(dataType).reshape('c', (long) planes * height, width).mmul(alongXTransposed);
        INDArray rows = byPlane.reshape('c', planes, height, 2, freqs).permute(1, 2, 0, 3).dup('c');
        INDArray spectrum = alongYTransposed.mmul(rows.reshape('c', 2L * height, (long) planes * freqs));
        return spectrum.reshape('c', height, 2, planes, freqs);
    }

    /**
     * Planes [P, H, W] to half spectra [H, 2, P, F] (rfft2), so that {@code inverse(forward(x)) == x}.
     * Used once, to start from a picture, so its matrices are built on the spot rather than kept.
     */
    INDArray forward(INDArray image) {
        int planes = checkPlanes(image.shape());
        double[] cos = new double[width * freqs];
        double[] sin = new double[width * freqs];
        fillTwiddles(width, width, freqs, cos, sin);
        // U[y, kx] = sum_x v[y, x] e^{-2 pi i kx x / W}
        INDArray fx = matrix(width, 2 * freqs, (x, col) -> col < freqs ? cos[x * freqs + col] : -sin[x * freqs + col - freqs]);
        INDArray byPlane = image.castTo(dataType).reshape('c', (long) planes * height, width).mmul(fx);
        INDArray rows = byPlane.reshape('c', planes, height, 2, freqs).permute(1, 2, 0, 3).dup('c');
        INDArray spectrum = complexAlongY(-1, 1.0).mmul(rows.reshape('c', 2L * height, (long) planes * freqs));
        return spectrum.reshape('c', height, 2, planes, freqs);
    }

    /**
     * [2H, 2H] acting on (re, im) pairs per row frequency: multiplication by e^{sign 2 pi i k y / H} summed
     * over the input index, times {@code factor}. Rows and columns are interleaved (index, part).
     */
    private INDArray complexAlongY(int sign, double factor) {
        double[] cos = new double[height * height];
        double[] sin = new double[height * height];
        fillTwiddles(height, height, height, cos, sin);
        // (a + ib)(c + i s) = (a c - b s) + i (a s + b c), with s = sign * sin
        return matrix(2 * height, 2 * height, (r, col) -> {
            int at = (r / 2) * height + col / 2;
            double c = cos[at];
            double s = sign * sin[at];
            boolean toIm = r % 2 == 1;
            boolean fromIm = col % 2 == 1;
            return factor * (!toIm ? (fromIm ? -s : c) : (fromIm ? c : s));
        });
    }

    private INDArray inverseAlongX() {
        double[] cos = new double[freqs * width];
        double[] sin = new double[freqs * width];
        fillTwiddles(width, freqs, width, cos, sin);
        // irfft counts every bin strictly between DC and Nyquist twice: it stands for its mirror image too.
        // x = sum_kx w_kx Re(Z e^{2 pi i kx x / W}) = sum_kx w_kx (Z_re cos - Z_im sin)
        return matrix(2 * freqs, width, (r, x) -> {
            int kx = r % freqs;
            double weight = (kx == 0 || 2 * kx == width ? 1.0 : 2.0) / width;
            return r < freqs ? weight * cos[kx * width + x] : -weight * sin[kx * width + x];
        });
    }

    /**
     * cos and sin of 2 pi a b / n for a < rows, b < cols, row-major. The product a*b is reduced modulo n
     * in integers first, so large angles lose no precision.
     */
    private static void fillTwiddles(int n, int rows, int cols, double[] cos, double[] sin) {
        for (int a = 0; a < rows; a++) {
            for (int b = 0; b < cols; b++) {
                double angle = 2 * Math.PI * (int) (((long) a * b) % n) / n;
                cos[a * cols + b] = Math.cos(angle);
                sin[a * cols + b] = Math.sin(angle);
            }
        }
    }

    private interface Entry {
        double at(int row, int col);
    }

    private INDArray matrix(int rows, int cols, Entry entry) {
        double[] values = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                values[r * cols + c] = entry.at(r, c);
            }
        }
        return Nd4j.create(values, new long[] {rows, cols}, dataType);
    }

    private int checkSpectrum(long[] s) {
        if (s.length != 4 || s[0] != height || s[1] != 2 || s[3] != freqs) {
            throw new IllegalArgumentException("expected half spectra [" + height + ", 2, P, " + freqs + "], got "
                    + Arrays.toString(s));
        }
        return (int) s[2];
    }

    private int checkPlanes(long[] s) {
        if (s.length != 3 || s[1] != height || s[2] != width) {
            throw new IllegalArgumentException("expected planes [P, " + height + ", " + width + "], got "
                    + Arrays.toString(s));
        }
        return (int) s[0];
    }
}
