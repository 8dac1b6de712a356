package featviz.param;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Lucid's {@code param.image(fft=True, decorrelate=True)}: the parameters are a scaled Fourier spectrum per
 * image and channel, and image = sigmoid(decorrelate(irfft2(spectrum * scale) / 4)). Images have any number
 * of channels (3 unless told otherwise; 1 for grey models); decorrelation is for 3 (RGB) only.
 *
 * <p>Why: ascending in pixel space grows high-frequency patterns first, because a CNN's gradient is full
 * of them. Scaling each frequency by 1/f (natural images have about a 1/f amplitude spectrum) gives low
 * frequencies the larger steps instead, so the same optimiser yields smoother, more natural images.
 *
 * <p>Parameters are [H, 2, N*C, W/2 + 1] (see {@link RealDft2} for the layout). For odd widths Lucid keeps
 * one extra column frequency and crops the inverse transform; here the half spectrum is exactly the one an
 * odd-width real image has.
 */
public final class FourierParam implements ImageParam {
    /** Lucid's initial standard deviation of the (unscaled) spectrum. */
    static final double INIT_STD = 0.01;

    private final RealDft2 dft;
    private final ValidRgb rgb;
    /** Per entry of the parameters: the 1/f spectrum scale times Lucid's division by 4 (linear, so it moves here). */
    private final INDArray scale;
    private final INDArray spectrum;
    private final int batch;
    private final int channels;
    private final LastImage last = new LastImage();

    /** A FLOAT parameterization from seeded noise, Lucid's start. */
    public FourierParam(int batch, int height, int width, boolean decorrelate, long seed) {
        this(batch, height, width, decorrelate, seed, DataType.FLOAT);
    }

    /** @param dataType FLOAT for rendering, DOUBLE for gradient checks */
    public FourierParam(int batch, int height, int width, boolean decorrelate, long seed, DataType dataType) {
        this(batch, 3, height, width, decorrelate, seed, dataType);
    }

    /** @param channels of each image: 3 for RGB, 1 for grey, any other count the network takes */
    public FourierParam(int batch, int channels, int height, int width, boolean decorrelate, long seed,
                        DataType dataType) {
        this(batch, channels, height, width, new ValidRgb(decorrelate), dataType);
        // drawn image by image, so the first images do not depend on how many follow
        fillNoise(SeededNoise.gaussian(seed, (int) spectrum.length(), INIT_STD), height, width);
    }

    /**
     * One image per seed, each from its own seed: image b is the same whatever batch it is rendered in
     * (a batch render of a layer gives each channel its own seed).
     */
    public FourierParam(long[] seeds, int height, int width, boolean decorrelate) {
        this(seeds, 3, height, width, decorrelate);
    }

    /** One image of {@code channels} channels per seed. */
    public FourierParam(long[] seeds, int channels, int height, int width, boolean decorrelate) {
        this(seeds.length, channels, height, width, new ValidRgb(decorrelate), DataType.FLOAT);
        int perImage = (int) (spectrum.length() / seeds.length);
        double[] noise = new double[(int) spectrum.length()];
        for (int b = 0; b < seeds.length; b++) {
            System.arraycopy(SeededNoise.gaussian(seeds[b], perImage, INIT_STD), 0, noise, b * perImage, perImage);
        }
        fillNoise(noise, height, width);
    }

    private void fillNoise(double[] noise, int height, int width) {
        int freqs = RealDft2.frequencies(width);
        try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            INDArray byImage = Nd4j.create(noise, new long[] {(long) batch * channels, height, 2, freqs}, 'c');
            spectrum.assign(byImage.permute(1, 2, 0, 3));
        }
    }

    private FourierParam(int batch, int channels, int height, int width, ValidRgb rgb, DataType dataType) {
        if (batch < 1 || channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("cannot make " + batch + " images of " + channels + " x " + height
                    + " x " + width);
        }
        rgb.check(channels);
        this.batch = batch;
        this.channels = channels;
        this.rgb = rgb;
        this.dft = new RealDft2(height, width, dataType);
        int freqs = RealDft2.frequencies(width);
        long[] shape = {height, 2, (long) batch * channels, freqs};
        try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            this.spectrum = Nd4j.zeros(dataType, shape);
            this.scale = Nd4j.create(tiledScale(batch * channels, height, width), shape, 'c').castTo(dataType);
        }
    }

    /**
     * The parameters whose image is {@code image} [N, C, H, W] in [0, 1] (inverse mapping: logit, inverse
     * colour matrix, forward DFT, divide by the scale), for starting from a picture. Pixels at 0 or 1 are
     * first pulled slightly inside, where the logit is finite. The data type is the image's.
     */
    public static FourierParam fromImage(INDArray image, boolean decorrelate) {
        long[] s = image.shape();
        if (s.length != 4) {
            throw new IllegalArgumentException("expected images [N, C, H, W], got " + Arrays.toString(s));
        }
        FourierParam param = new FourierParam((int) s[0], (int) s[1], (int) s[2], (int) s[3],
                new ValidRgb(decorrelate), image.dataType());
        INDArray values = param.rgb.inverse(image).reshape('c', s[0] * s[1], s[2], s[3]);
        param.spectrum.assign(param.dft.forward(values).divi(param.scale));
        return param;
    }

    /**
     * Lucid's spectrum scale for an H x W image, [H, W/2 + 1] row-major: 1 / max(f, 1 / max(H, W)) * sqrt(H W)
     * with f = sqrt(fx^2 + fy^2) from numpy's fftfreq. The floor keeps the DC term finite, and sqrt(H W)
     * balances irfft2's 1/(H W), so the same spectrum noise gives about the same pixel contrast at any size.
     */
    static double[] spectrumScale(int height, int width) {
        int freqs = RealDft2.frequencies(width);
        double floor = 1.0 / Math.max(height, width);
        double[] out = new double[height * freqs];
        for (int ky = 0; ky < height; ky++) {
            double fy = fftfreq(ky, height);
            for (int kx = 0; kx < freqs; kx++) {
                double fx = fftfreq(kx, width);
                out[ky * freqs + kx] = Math.sqrt((double) height * width) / Math.max(Math.sqrt(fx * fx + fy * fy), floor);
            }
        }
        return out;
    }

    /** numpy.fft.fftfreq(n)[k]: k / n for the first half, (k - n) / n after. */
    private static double fftfreq(int k, int n) {
        return (k <= (n - 1) / 2 ? k : k - n) / (double) n;
    }

    private static double[] tiledScale(int planes, int height, int width) {
        int freqs = RealDft2.frequencies(width);
        double[] perPlane = spectrumScale(height, width);
        double[] out = new double[height * 2 * planes * freqs];
        int i = 0;
        for (int ky = 0; ky < height; ky++) {
            for (int partAndPlane = 0; partAndPlane < 2 * planes; partAndPlane++) {
                for (int kx = 0; kx < freqs; kx++) {
                    out[i++] = perPlane[ky * freqs + kx] / 4;
                }
            }
        }
        return out;
    }

    @Override
    public INDArray parameters() {
        return spectrum;
    }

    @Override
    public INDArray image() {
        INDArray planes = dft.inverse(spectrum.mul(scale));
        INDArray image = rgb.forward(planes.reshape('c', batch, channels, planes.size(1), planes.size(2)));
        last.remember(spectrum, image);
        return image;
    }

    /**
     * The chain rule backwards through the sigmoid, the colour matrix, the inverse DFT (its transpose) and
     * the scale. The sigmoid's derivative needs the current image: the one from the last {@link #image()}
     * if the parameters have not changed since, else it is computed again.
     */
    @Override
    public INDArray backward(INDArray gradImage) {
        INDArray image = last.imageOf(spectrum);
        INDArray gradValues = rgb.backward(gradImage, image != null ? image : image());
        long[] s = gradValues.shape();
        return dft.inverseAdjoint(gradValues.reshape('c', s[0] * s[1], s[2], s[3])).muli(scale);
    }

    @Override
    public String describe() {
        return rgb.decorrelates() ? "fourier(decorrelated)" : "fourier";
    }
}
