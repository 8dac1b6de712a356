package featviz.io;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * An image as C planes of floats, each row by row: the memory layout of one channel-first (CHW) tensor,
 * so moving to and from ND4J is a single copy. C is 1 (grey), 2 (grey, alpha), 3 (RGB) or 4 (RGB, alpha):
 * the four pixel layouts a PNG can hold, so whatever featviz renders it can also write and read back.
 */
final class Planes {
    /** ITU-R BT.601 luma weights (PIL's {@code convert("L")}, OpenCV's RGB2GRAY): grey from R, G, B. */
    static final double[] LUMA = {0.299, 0.587, 0.114};

    private final int channels;
    private final int height;
    private final int width;
    private final float[] values;

    /** Three RGB planes. */
    Planes(int height, int width, float[] values) {
        this(3, height, width, values);
    }

    Planes(int channels, int height, int width, float[] values) {
        if (channels < 1 || channels > 4 || height < 1 || width < 1
                || values.length != (long) channels * height * width) {
            throw new IllegalArgumentException(channels + " planes of " + height + " x " + width
                    + " need " + (long) channels * height * width + " values, got " + values.length);
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.values = values;
    }

    int channels() {
        return channels;
    }

    int height() {
        return height;
    }

    int width() {
        return width;
    }

    /** The backing array, index {@code (channel * height + y) * width + x}; shared, not copied. */
    float[] values() {
        return values;
    }

    /** A new FLOAT tensor of shape [1, channels, height, width]. */
    INDArray toBatch() {
        return Nd4j.create(values, new long[] {1, channels, height, width}, 'c');
    }

    /**
     * These planes, read from a file as RGB and alpha (4 planes, colour not composited), as {@code target}
     * channels: 3 = RGB composited over {@code background}, 1 = the luma of that, 4 = RGB and alpha as they
     * are, 2 = the luma of the uncomposited colour and alpha. Planes that already have {@code target} channels
     * come back as they are.
     */
    Planes as(int target, float background) {
        if (target == channels) {
            return this;
        }
        if (channels != 4) {
            throw new IllegalArgumentException("can convert only RGBA planes, not " + channels);
        }
        int area = height * width;
        float[] out = new float[target * area];
        for (int i = 0; i < area; i++) {
            float alpha = values[3 * area + i];
            float r = values[i];
            float g = values[area + i];
            float b = values[2 * area + i];
            switch (target) {
                case 1 -> out[i] = luma(composite(r, alpha, background), composite(g, alpha, background),
                        composite(b, alpha, background));
                case 2 -> {
                    out[i] = luma(r, g, b);
                    out[area + i] = alpha;
                }
                case 3 -> {
                    out[i] = composite(r, alpha, background);
                    out[area + i] = composite(g, alpha, background);
                    out[2 * area + i] = composite(b, alpha, background);
                }
                default -> throw new IllegalArgumentException("cannot make " + target + " planes");
            }
        }
        return new Planes(target, height, width, out);
    }

    /** Any planes as RGB for showing: grey copied to all three, alpha composited over {@code background}. */
    Planes toRgb(float background) {
        if (channels == 3) {
            return this;
        }
        int area = height * width;
        float[] out = new float[3 * area];
        boolean alpha = channels == 2 || channels == 4;
        int colour = alpha ? channels - 1 : channels;
        for (int i = 0; i < area; i++) {
            float a = alpha ? values[colour * area + i] : 1f;
            for (int c = 0; c < 3; c++) {
                float v = values[(colour == 1 ? 0 : c) * area + i];
                out[c * area + i] = alpha ? composite(v, a, background) : v;
            }
        }
        return new Planes(3, height, width, out);
    }

    static float composite(float colour, float alpha, float background) {
        return alpha * colour + (1f - alpha) * background;
    }

    /** In double, then rounded once: grey input (r = g = b) comes back unchanged. */
    static float luma(float r, float g, float b) {
        return (float) (LUMA[0] * r + LUMA[1] * g + LUMA[2] * b);
    }

    /**
     * The first image of an [N, C, H, W] batch, or a [C, H, W] image, with C from 1 to 4. Values are taken
     * as they are, of whatever data type.
     */
    static Planes fromTensor(INDArray tensor) {
        INDArray image = switch (tensor.rank()) {
            case 3 -> tensor;
            case 4 -> {
                if (tensor.size(0) < 1) {
                    throw new IllegalArgumentException("an image batch must hold at least one image, got shape "
                            + Arrays.toString(tensor.shape()));
                }
                yield tensor.slice(0);
            }
            default -> throw new IllegalArgumentException("an image must be [C, H, W] or [N, C, H, W], got shape "
                    + Arrays.toString(tensor.shape()));
        };
        long channels = image.size(0);
        if (channels < 1 || channels > 4) {
            throw new IllegalArgumentException("an image needs 1 to 4 channels (grey, grey+alpha, RGB, RGBA), got shape "
                    + Arrays.toString(tensor.shape()));
        }
        int height = Math.toIntExact(image.size(1));
        int width = Math.toIntExact(image.size(2));
        float[] flat = Nd4j.toFlattened('c', image.castTo(DataType.FLOAT)).toFloatVector();
        return new Planes((int) channels, height, width, flat);
    }
}
