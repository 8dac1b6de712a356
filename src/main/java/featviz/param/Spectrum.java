package featviz.param;

import featviz.RunFailure;
import featviz.io.ImageResize;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A magnitude spectrum for MACO ({@link MacoParam}): per channel, the mean |rfft2| of natural images, laid out
 * [C, H, W/2 + 1] like numpy's {@code rfft2}. Only its shape matters, not its scale: MACO standardises the
 * image after the inverse transform.
 */
public final class Spectrum {
    /** Shipped with its MIT licence notice next to it (LICENSE-spectrum_decorrelated.txt). */
    private static final String IMAGENET = "/featviz/maco/spectrum_decorrelated.npy";
    private static Spectrum imagenet;

    private final int channels;
    private final int height;
    private final int freqs;
    /** [C, H, F] row-major. */
    private final float[] values;

    Spectrum(int channels, int height, int freqs, float[] values) {
        if (values.length != channels * height * freqs) {
            throw new IllegalArgumentException("a " + channels + "x" + height + "x" + freqs + " spectrum needs "
                    + channels * height * freqs + " values, not " + values.length);
        }
        this.channels = channels;
        this.height = height;
        this.freqs = freqs;
        this.values = values;
    }

    /**
     * ImageNet's mean magnitude at 512 x 512 in Lucid's decorrelated colour space, 3 x 512 x 257, from Xplique
     * (MIT): the default MACO constrains colour images to.
     */
    public static synchronized Spectrum imagenet() {
        if (imagenet == null) {
            try (InputStream in = Spectrum.class.getResourceAsStream(IMAGENET)) {
                if (in == null) {
                    throw new RunFailure("the build lacks its resource " + IMAGENET);
                }
                Npy npy = Npy.read(in);
                if (npy.shape.length != 3) {
                    throw new RunFailure(IMAGENET + " is not [C, H, F] but " + java.util.Arrays.toString(npy.shape));
                }
                imagenet = new Spectrum(npy.shape[0], npy.shape[1], npy.shape[2], npy.values);
            } catch (IOException e) {
                throw new RunFailure("cannot read " + IMAGENET + ": " + e.getMessage(), e);
            }
        }
        return imagenet;
    }

    /**
     * The mean |rfft2| of images [1, C, H, W] in [0, 1], all of one size; with {@code decorrelate} (3 channels)
     * each is first taken into Lucid's decorrelated colour space, the space {@link #imagenet()} is in.
     */
    public static Spectrum meanOf(List<INDArray> images, boolean decorrelate) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to average");
        }
        long[] s = images.get(0).shape();
        int c = (int) s[1];
        int h = (int) s[2];
        int w = (int) s[3];
        RealDft2 dft = new RealDft2(h, w, DataType.DOUBLE);
        int f = RealDft2.frequencies(w);
        double[] sum = new double[c * h * f];
        for (INDArray image : images) {
            if (image.size(1) != c || image.size(2) != h || image.size(3) != w) {
                throw new IllegalArgumentException("images of different shapes: " + java.util.Arrays.toString(s)
                        + " and " + java.util.Arrays.toString(image.shape()));
            }
            INDArray values = image.castTo(DataType.DOUBLE);
            if (decorrelate) {
                values = ColourDecorrelation.applyInverse(values);
            }
            // [H, 2, C, F]: re and im of each channel
            INDArray spectrum = dft.forward(values.reshape('c', c, h, w));
            INDArray re = spectrum.get(all(), point(0), all(), all());
            INDArray im = spectrum.get(all(), point(1), all(), all());
            INDArray magnitude = org.nd4j.linalg.ops.transforms.Transforms.sqrt(re.mul(re).addi(im.mul(im)), false)
                    .permute(1, 0, 2).dup('c'); // [C, H, F]
            double[] m = magnitude.data().asDouble();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += m[i];
            }
        }
        float[] mean = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            mean[i] = (float) (sum[i] / images.size());
        }
        return new Spectrum(c, h, f, mean);
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex all() {
        return org.nd4j.linalg.indexing.NDArrayIndex.all();
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex point(long i) {
        return org.nd4j.linalg.indexing.NDArrayIndex.point(i);
    }

    /**
     * This spectrum for an {@code height} x {@code width} image: [C, height, width/2 + 1], resampled as an image
     * (area averaging when shrinking, as Horama's antialiased bilinear resize does; linear when enlarging).
     */
    public Spectrum resizedFor(int height, int width) {
        int f = RealDft2.frequencies(width);
        if (height == this.height && f == freqs) {
            return this;
        }
        INDArray planes = Nd4j.create(values, new long[] {1, channels, this.height, freqs}, 'c');
        INDArray resized = ImageResize.resize(planes, height, f);
        return new Spectrum(channels, height, f, resized.castTo(DataType.FLOAT).data().asFloat());
    }

    /** Channel {@code c} alone, a one-channel spectrum. */
    public Spectrum channel(int c) {
        int plane = height * freqs;
        float[] one = new float[plane];
        System.arraycopy(values, c * plane, one, 0, plane);
        return new Spectrum(1, height, freqs, one);
    }

    /** The channels' mean, a one-channel spectrum. */
    public Spectrum channelMean() {
        int plane = height * freqs;
        float[] one = new float[plane];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < plane; i++) {
                one[i] += values[c * plane + i] / channels;
            }
        }
        return new Spectrum(1, height, freqs, one);
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int frequencies() {
        return freqs;
    }

    /** [C, H, F] row-major, a copy. */
    public float[] values() {
        return values.clone();
    }
}
