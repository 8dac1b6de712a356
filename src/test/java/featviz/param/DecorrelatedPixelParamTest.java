package featviz.param;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class DecorrelatedPixelParamTest {
    @Test
    void backwardIsTheGradient() {
        DecorrelatedPixelParam param = new DecorrelatedPixelParam(2, 8, 7, 5, DataType.DOUBLE);
        param.parameters().muli(100);
        double[] errors = ParamChecks.gradientErrors(param, 31, 300);
        assertTrue(errors[0] < 1e-7, "directional error " + errors[0]);
        assertTrue(errors[1] < 1e-4, "coordinate error " + errors[1]);
    }

    @Test
    void startsNearGreyAndReproducibly() {
        INDArray a = new DecorrelatedPixelParam(1, 16, 16, 9).image();
        assertTrue(a.sub(0.5).amaxNumber().doubleValue() < 0.02);
        assertEquals(a, new DecorrelatedPixelParam(1, 16, 16, 9).image());
    }

    @Test
    void startsFromAPicture() {
        INDArray picture = GradientCheck.uniform(DataType.DOUBLE, 6, 1, 3, 9, 9).muli(0.98).addi(0.01);
        assertEquals(0, DecorrelatedPixelParam.fromImage(picture).image().sub(picture).amaxNumber().doubleValue(), 1e-12);
    }
}
