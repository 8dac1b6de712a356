package featviz.model;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seeded random weights: He-normal kernels (std sqrt(2 / fan-in), which keeps ReLU activations at a
 * steady scale through depth), zero biases, identity batch normalization.
 *
 * <p>Each layer draws from its own generator seeded by (seed, layer name) in plain Java, so a layer's
 * weights do not depend on where the network is truncated, nor on the ND4J backend.
 */
public final class RandomWeights implements WeightSource {
    private final long seed;

    public RandomWeights(long seed) {
        this.seed = seed;
    }

    @Override
    public INDArray param(GraphSpec.Vertex vertex, String key, long[] shape) {
        switch (key) {
            case "W": {
                long fanIn = 1;
                // DL4J layouts: conv [out, in, kH, kW], dense [in, out].
                if (shape.length == 4) {
                    fanIn = shape[1] * shape[2] * shape[3];
                } else {
                    fanIn = shape[0];
                }
                return gaussian(vertex.name(), shape, Math.sqrt(2.0 / fanIn));
            }
            case "gamma":
            case "var":
                return Nd4j.ones(DataType.FLOAT, shape);
            case "b":
            case "beta":
            case "mean":
                return Nd4j.zeros(DataType.FLOAT, shape);
            default:
                return null;
        }
    }

    private INDArray gaussian(String layer, long[] shape, double std) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ layer.hashCode());
        float[] values = new float[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * std);
        }
        return Nd4j.create(values, shape, 'c');
    }

    @Override
    public String identity() {
        return "random seed " + seed;
    }
}
