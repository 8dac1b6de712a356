package featviz.param;

import featviz.model.op.PortableOps;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MACO's parameterization (Fel et al., NeurIPS 2023, as in Xplique's {@code maco_image_parametrization} and
 * Horama's {@code maco_preconditioner}): the image's Fourier magnitude is fixed to that of natural images and
 * only the phase is optimised:
 * <pre>
 *   p     = standardise(phase)                      (per image: zero mean, unit std)
 *   x     = irfft2(magnitude * e^{i p})
 *   image = sigmoid(recorrelate(standardise(x)))    (recorrelation for RGB only)
 * </pre>
 * Why: a phase-only search cannot put energy into the high frequencies that make deep layers' renders
 * noisy or grey; the network has to express what it wants through where edges and textures sit.
 *
 * <p>One difference, for exactness: irfft2 keeps only the Hermitian part of the columns kx = 0 and kx = W/2
 * (their imaginary parts have no real image), so there MACO's magnitude drifts with the phase. Here the phase
 * of those columns is made odd (p(ky) := (p(ky) - p(-ky)) / 2) and their magnitude even, which makes the
 * spectrum exactly that of a real image: its magnitude is the given one, whatever the phase, at every bin but
 * the (at most 4 per channel) real ones, the mean among them, which stay m cos p as in MACO: forcing the mean
 * to +m would fix each channel's mean and so the image's colour.
 *
 * <p>Standardisation uses the population std plus 1e-5 (Xplique's; Horama's differs in the 4th digit), per
 * image, so an image does not depend on its batch. On the CPU everything but the two DFT products is
 * element-wise and done in plain Java: on a loaded machine each small ND4J op cost 10-100 ms of thread-pool
 * latency (measured: one 38k-element standardisation took 57-145 ms as ND4J ops at load 19 on 2 cores; a whole
 * image() and backward() as ND4J ops took 1.3-1.7x the host loops' time at 224 px, 2.1-7x at 28 px, in
 * MacoPathTiming at load 10-14). On the portable path ({@link PortableOps}: the CUDA backend) those loops would
 * copy the phase and the image off the device and back every step, so there {@link MacoOnDevice} computes the
 * same function with ND4J ops.
 *
 * <p>Parameters: the phase [N, C, H, W/2 + 1], a Gaussian of std 1 per image from its seed (MACO's start).
 */
public final class MacoParam implements ImageParam {
    static final double INIT_STD = 1.0;
    static final double EPSILON = 1e-5;

    private final RealDft2 dft;
    private final boolean decorrelate;
    private final double[][] colours;
    private final int batch;
    private final int channels;
    private final int height;
    private final int width;
    private final int freqs;
    /** [C, H, F]: the magnitude, columns kx = 0, W/2 made even. */
    private final double[] magnitude;
    private final INDArray phase;
    private final int[] selfConjugateColumns;
    private final DataType dataType;
    /** The ND4J version of image() and backward(), on the portable path; null on the host path. */
    private final MacoOnDevice onDevice;
    /** The last forward pass and the phase it was computed from, for the backward of the same step. */
    private Pass last;
    private double[] lastPhase;

    /** One image per seed, each from its own seed, so an image does not depend on its batch. */
    public MacoParam(long[] seeds, Spectrum spectrum, int height, int width, boolean decorrelate, DataType dataType) {
        this(seeds, spectrum, height, width, decorrelate, dataType, PortableOps.active());
    }

    /** @param onDevice with ND4J ops ({@link MacoOnDevice}), as the portable path must, rather than host loops */
    MacoParam(long[] seeds, Spectrum spectrum, int height, int width, boolean decorrelate, DataType dataType,
              boolean onDevice) {
        if (seeds.length < 1 || height < 2 || width < 2) {
            throw new IllegalArgumentException("cannot make " + seeds.length + " images of " + height + " x " + width);
        }
        this.batch = seeds.length;
        this.channels = spectrum.channels();
        this.height = height;
        this.width = width;
        this.freqs = RealDft2.frequencies(width);
        this.decorrelate = decorrelate;
        new ValidRgb(decorrelate).check(channels);
        this.colours = ColourDecorrelation.matrix();
        this.dataType = dataType;
        this.dft = new RealDft2(height, width, dataType);
        this.selfConjugateColumns = width % 2 == 0 ? new int[] {0, freqs - 1} : new int[] {0};
        this.magnitude = evenColumns(spectrum.resizedFor(height, width));
        int perImage = channels * height * freqs;
        double[] noise = new double[batch * perImage];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(SeededNoise.gaussian(seeds[b], perImage, INIT_STD), 0, noise, b * perImage, perImage);
        }
        try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            this.phase = Nd4j.create(noise, new long[] {batch, channels, height, freqs}, 'c').castTo(dataType);
        }
        this.onDevice = onDevice
                ? new MacoOnDevice(dft, magnitude, batch, channels, height, width, decorrelate, dataType) : null;
    }

    private double[] evenColumns(Spectrum spectrum) {
        float[] m = spectrum.values();
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i];
        }
        for (int c = 0; c < channels; c++) {
            for (int kx : selfConjugateColumns) {
                for (int ky = 0; ky < height; ky++) {
                    int mirror = (height - ky) % height;
                    out[(c * height + ky) * freqs + kx] = 0.5 * (m[(c * height + ky) * freqs + kx]
                            + m[(c * height + mirror) * freqs + kx]);
                }
            }
        }
        return out;
    }

    /** Whether image() and backward() run as ND4J ops (the portable path's way) rather than host loops. */
    boolean computesOnDevice() {
        return onDevice != null;
    }

    /** The magnitude each image's spectrum has, [C, H, W/2 + 1] (columns kx = 0, W/2 made even). */
    public INDArray magnitude() {
        return Nd4j.create(magnitude.clone(), new long[] {channels, height, freqs}, 'c');
    }

    @Override
    public INDArray parameters() {
        return phase;
    }

    /** Per image (row of n values): y = (x - mean) / (std + eps); keeps what the backward needs. */
    private static final class Standardised {
        final double[] out;
        final double[] scale;
        final double[] std;

        Standardised(double[] x, int rows) {
            int n = x.length / rows;
            out = new double[x.length];
            scale = new double[rows];
            std = new double[rows];
            for (int r = 0; r < rows; r++) {
                double mean = 0;
                for (int i = r * n; i < (r + 1) * n; i++) {
                    mean += x[i];
                }
                mean /= n;
                double sq = 0;
                for (int i = r * n; i < (r + 1) * n; i++) {
                    out[i] = x[i] - mean;
                    sq += out[i] * out[i];
                }
                std[r] = Math.sqrt(sq / n);
                scale[r] = std[r] + EPSILON;
                for (int i = r * n; i < (r + 1) * n; i++) {
                    out[i] /= scale[r];
                }
            }
        }

        /**
         * With s = std + eps, z = x - mean = y s: dy_i/dx_j = (delta_ij - 1/n) / s - z_i z_j / (n s^2 std), so
         * g_x = (g - mean(g)) / s - y sum(g y) / (n std).
         */
        double[] backward(double[] g) {
            int rows = scale.length;
            int n = g.length / rows;
            double[] out = new double[g.length];
            for (int r = 0; r < rows; r++) {
                double mean = 0;
                double dot = 0;
                for (int i = r * n; i < (r + 1) * n; i++) {
                    mean += g[i];
                    dot += g[i] * this.out[i];
                }
                mean /= n;
                double k = dot / (n * std[r]);
                for (int i = r * n; i < (r + 1) * n; i++) {
                    out[i] = (g[i] - mean) / scale[r] - this.out[i] * k;
                }
            }
            return out;
        }
    }

    /** The intermediate values of one forward pass, kept for its backward. */
    private final class Pass {
        final Standardised phaseStd;
        /** [N, C, H, F]: the standardised phase, columns kx = 0, W/2 made odd. */
        final double[] angle;
        final Standardised imageStd;
        /** [N, C, H, W] in (0, 1). */
        final double[] image;

        Pass() {
            phaseStd = new Standardised(phase.dup('c').data().asDouble(), batch);
            angle = oddColumns(phaseStd.out);
            double[] planes = dft.inverse(spectrum(angle)).data().asDouble();
            imageStd = new Standardised(planes, batch);
            image = mixColours(imageStd.out, false);
            for (int i = 0; i < image.length; i++) {
                image[i] = 1 / (1 + StrictMath.exp(-image[i]));
            }
        }
    }

    /**
     * A copy with p(ky) := (p(ky) - p(-ky)) / 2 in the self-conjugate columns, except at their real bins (ky = -ky:
     * the mean and the Nyquist rows), which keep their phase: there irfft2 takes m cos p, as in MACO, so each
     * channel's mean (the image's colour) stays free to move. A symmetric map: its own adjoint.
     */
    private double[] oddColumns(double[] p) {
        double[] out = p.clone();
        for (int plane = 0; plane < batch * channels; plane++) {
            for (int kx : selfConjugateColumns) {
                for (int ky = 0; ky < height; ky++) {
                    int mirror = (height - ky) % height;
                    if (mirror != ky) {
                        out[(plane * height + ky) * freqs + kx] = 0.5 * (p[(plane * height + ky) * freqs + kx]
                                - p[(plane * height + mirror) * freqs + kx]);
                    }
                }
            }
        }
        return out;
    }

    /** magnitude * e^{i angle} in {@link RealDft2}'s layout [H, 2, N*C, F]. */
    private INDArray spectrum(double[] angle) {
        int planes = batch * channels;
        double[] out = new double[height * 2 * planes * freqs];
        for (int plane = 0; plane < planes; plane++) {
            int c = plane % channels;
            for (int ky = 0; ky < height; ky++) {
                for (int kx = 0; kx < freqs; kx++) {
                    double a = angle[(plane * height + ky) * freqs + kx];
                    double m = magnitude[(c * height + ky) * freqs + kx];
                    out[((ky * 2) * planes + plane) * freqs + kx] = m * StrictMath.cos(a);
                    out[((ky * 2 + 1) * planes + plane) * freqs + kx] = m * StrictMath.sin(a);
                }
            }
        }
        return Nd4j.create(out, new long[] {height, 2, planes, freqs}, 'c').castTo(dataType);
    }

    /** Per pixel rgb = M x (or M^T x for the backward) for 3 decorrelated channels; a copy otherwise. */
    private double[] mixColours(double[] x, boolean transpose) {
        if (!decorrelate) {
            return x.clone();
        }
        double[] out = new double[x.length];
        int area = height * width;
        for (int b = 0; b < batch; b++) {
            int base = b * 3 * area;
            for (int i = 0; i < area; i++) {
                for (int row = 0; row < 3; row++) {
                    double sum = 0;
                    for (int col = 0; col < 3; col++) {
                        sum += (transpose ? colours[col][row] : colours[row][col]) * x[base + col * area + i];
                    }
                    out[base + row * area + i] = sum;
                }
            }
        }
        return out;
    }

    /** irfft2 of the spectrum before the image is standardised, [N, C, H, W]: for checking the magnitude. */
    INDArray planes() {
        double[] angle = oddColumns(new Standardised(phase.dup('c').data().asDouble(), batch).out);
        return dft.inverse(spectrum(angle)).reshape('c', batch, channels, height, width);
    }

    @Override
    public INDArray image() {
        if (onDevice != null) {
            return onDevice.image(phase);
        }
        Pass pass = new Pass();
        last = pass;
        lastPhase = phase.dup('c').data().asDouble();
        return Nd4j.create(pass.image, new long[] {batch, channels, height, width}, 'c').castTo(dataType);
    }

    /**
     * Backwards through the sigmoid and colour matrix, the image's standardisation, the inverse DFT (its
     * transpose), magnitude * e^{i p} (d re = -m sin p dp, d im = m cos p dp), the odd columns and the phase's
     * standardisation. Uses the last {@link #image()}'s pass when the phase has not changed since (plain Java
     * arrays, so no workspace can have recycled them), else computes it again.
     */
    @Override
    public INDArray backward(INDArray gradImage) {
        if (onDevice != null) {
            return onDevice.backward(phase, gradImage.castTo(dataType));
        }
        double[] current = phase.dup('c').data().asDouble();
        Pass pass = last != null && Arrays.equals(current, lastPhase) ? last : new Pass();
        double[] g = gradImage.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (int i = 0; i < g.length; i++) {
            g[i] *= pass.image[i] * (1 - pass.image[i]);
        }
        double[] gradPlanes = pass.imageStd.backward(mixColours(g, true));
        int planes = batch * channels;
        INDArray gradSpectrum = dft.inverseAdjoint(Nd4j.create(gradPlanes, new long[] {planes, height, width}, 'c')
                .castTo(dataType));
        double[] gs = gradSpectrum.dup('c').data().asDouble(); // [H, 2, P, F]
        double[] gradAngle = new double[pass.angle.length];
        for (int plane = 0; plane < planes; plane++) {
            int c = plane % channels;
            for (int ky = 0; ky < height; ky++) {
                for (int kx = 0; kx < freqs; kx++) {
                    int at = (plane * height + ky) * freqs + kx;
                    double a = pass.angle[at];
                    double m = magnitude[(c * height + ky) * freqs + kx];
                    double gRe = gs[((ky * 2) * planes + plane) * freqs + kx];
                    double gIm = gs[((ky * 2 + 1) * planes + plane) * freqs + kx];
                    gradAngle[at] = m * (gIm * StrictMath.cos(a) - gRe * StrictMath.sin(a));
                }
            }
        }
        double[] grad = pass.phaseStd.backward(oddColumns(gradAngle));
        return Nd4j.create(grad, new long[] {batch, channels, height, freqs}, 'c').castTo(dataType);
    }

    @Override
    public String describe() {
        return decorrelate ? "maco(decorrelated)" : "maco";
    }
}
