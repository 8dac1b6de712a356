package featviz.param;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Lucid's {@code param.image(fft=False, decorrelate=True)}: one parameter per pixel and channel, in the
 * decorrelated colour space, squashed into (0, 1) by a sigmoid. Colours come out natural without the
 * Fourier basis; pixels stay in range without clipping.
 */
public final class DecorrelatedPixelParam implements ImageParam {
    /** Lucid's {@code pixel_image} start: standard deviation 0.01 around grey. */
    static final double INIT_STD = 0.01;

    private final ValidRgb rgb = new ValidRgb(true);
    private final INDArray values;

    /** A FLOAT parameterization from seeded noise. */
    public DecorrelatedPixelParam(int batch, int height, int width, long seed) {
        this(batch, height, width, seed, DataType.FLOAT);
    }

    public DecorrelatedPixelParam(int batch, int height, int width, long seed, DataType dataType) {
        if (batch < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("cannot make " + batch + " images of " + height + " x " + width);
        }
        long[] shape = {batch, 3, height, width};
        double[] noise = SeededNoise.gaussian(seed, batch * 3 * height * width, INIT_STD);
        try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            this.values = Nd4j.create(noise, shape, 'c').castTo(dataType);
        }
    }

    /** One image per seed, each from its own seed, so image b does not depend on the batch it is in. */
    public DecorrelatedPixelParam(long[] seeds, int height, int width) {
        int perImage = 3 * height * width;
        double[] noise = new double[seeds.length * perImage];
        for (int b = 0; b < seeds.length; b++) {
            System.arraycopy(SeededNoise.gaussian(seeds[b], perImage, INIT_STD), 0, noise, b * perImage, perImage);
        }
        try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            this.values = Nd4j.create(noise, new long[] {seeds.length, 3, height, width}, 'c').castTo(DataType.FLOAT);
        }
    }

    private DecorrelatedPixelParam(INDArray values) {
        this.values = values;
    }

    /**
     * The parameters whose image is {@code image} [N, 3, H, W] in [0, 1]: logit, then the inverse colour
     * matrix. Pixels at 0 or 1 are first pulled slightly inside. The data type is the image's.
     */
    public static DecorrelatedPixelParam fromImage(INDArray image) {
        long[] s = image.shape();
        if (s.length != 4 || s[1] != 3) {
            throw new IllegalArgumentException("expected images [N, 3, H, W], got " + Arrays.toString(s));
        }
        try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return new DecorrelatedPixelParam(new ValidRgb(true).inverse(image));
        }
    }

    @Override
    public INDArray parameters() {
        return values;
    }

    @Override
    public INDArray image() {
        return rgb.forward(values);
    }

    /** Through the sigmoid and the transposed colour matrix; the image is recomputed (cheap: per pixel). */
    @Override
    public INDArray backward(INDArray gradImage) {
        return rgb.backward(gradImage, image());
    }

    @Override
    public String describe() {
        return "pixel(decorrelated)";
    }
}
