package featviz.transform;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MACO's noise per step: each pixel gets N(0, s) plus U(-s/2, s/2) (Xplique and Horama add both), s in units
 * of the [0, 1] pixel range. A network cannot rely on exact pixel values the next step will not repeat.
 * The noise is drawn in plain Java from the render loop's generator, one field for every image of the batch,
 * so an image's noise does not depend on its batch. Adding a constant: the adjoint is the identity.
 */
public final class Noise implements Transform {
    private final double std;

    public Noise(double std) {
        if (!(std >= 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("noise must be a finite std >= 0, not " + std);
        }
        this.std = std;
    }

    @Override
    public INDArray forward(INDArray image, SplittableRandom random) {
        long[] shape = image.shape();
        int perImage = (int) (shape[1] * shape[2] * shape[3]);
        double[] field = new double[perImage];
        for (int i = 0; i < perImage; i++) {
            field[i] = std * RandomCrop.gaussian(random) + std * (random.nextDouble() - 0.5);
        }
        INDArray noise = Nd4j.create(field, new long[] {1, shape[1], shape[2], shape[3]}, 'c').castTo(image.dataType());
        INDArray out = image.dup('c');
        out.reshape('c', shape[0], perImage).addiRowVector(noise.reshape(perImage));
        return out;
    }

    @Override
    public INDArray backward(INDArray gradOutput) {
        return gradOutput;
    }

    @Override
    public String describe() {
        return "noise:" + Numbers.format(std);
    }
}
