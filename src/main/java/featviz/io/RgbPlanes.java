package featviz.io;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * An RGB image as three planes of floats, red then green then blue, each row by row: the memory layout
 * of one channel-first (CHW) tensor, so moving to and from ND4J is a single copy.
 */
final class RgbPlanes {
    private final int height;
    private final int width;
    private final float[] values;

    RgbPlanes(int height, int width, float[] values) {
        if (height < 1 || width < 1 || values.length != 3L * height * width) {
            throw new IllegalArgumentException("RGB planes of " + height + " x " + width
                    + " need " + 3L * height * width + " values, got " + values.length);
        }
        this.height = height;
        this.width = width;
        this.values = values;
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

    /** A new FLOAT tensor of shape [1, 3, height, width]. */
    INDArray toBatch() {
        return Nd4j.create(values, new long[] {1, 3, height, width}, 'c');
    }

    /**
     * The first image of an [N, C, H, W] batch, or a [C, H, W] image, with C = 3 (RGB) or 1 (grey,
     * copied to all three planes). Values are taken as they are, of whatever data type.
     */
    static RgbPlanes fromTensor(INDArray tensor) {
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
        if (channels != 3 && channels != 1) {
            throw new IllegalArgumentException("an image needs 3 channels (RGB) or 1 (grey), got shape "
                    + Arrays.toString(tensor.shape()));
        }
        int height = Math.toIntExact(image.size(1));
        int width = Math.toIntExact(image.size(2));
        float[] flat = Nd4j.toFlattened('c', image.castTo(DataType.FLOAT)).toFloatVector();
        if (channels == 3) {
            return new RgbPlanes(height, width, flat);
        }
        float[] values = new float[3 * flat.length];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(flat, 0, values, c * flat.length, flat.length);
        }
        return new RgbPlanes(height, width, values);
    }
}
