package featviz.param;

import featviz.GradientCheck;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A nonlinear loss of the image, and the two finite-difference checks of a parameterization against it. */
final class ParamChecks {
    private ParamChecks() {
    }

    /** loss = sum(weights * image^2): nonlinear, so a wrong sigmoid derivative cannot hide. */
    static double loss(INDArray image, INDArray weights) {
        return image.mul(image).muli(weights).sumNumber().doubleValue();
    }

    static INDArray lossGradient(INDArray image, INDArray weights) {
        return image.mul(weights).muli(2);
    }

    /** {directional error, largest relative error over sampled coordinates} of param.backward. */
    static double[] gradientErrors(ImageParam param, long seed, int samples) {
        INDArray weights = GradientCheck.uniform(DataType.DOUBLE, seed, param.image().shape()).subi(0.5);
        INDArray grad = param.backward(lossGradient(param.image(), weights));
        // the checks perturb a copy, which f copies into the parameters before each evaluation
        INDArray at = param.parameters().dup();
        Function<INDArray, Double> f = p -> {
            param.parameters().assign(p);
            return loss(param.image(), weights);
        };
        double directional = GradientCheck.directionalError(f, at, grad, seed + 1);
        double coordinates = GradientCheck.maxRelativeError(f, at, grad, samples, seed + 2);
        param.parameters().assign(at);
        return new double[] {directional, coordinates};
    }

    static double dot(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).mul(b.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
    }
}
