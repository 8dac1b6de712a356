package featviz.bench;

import featviz.model.GraphSpec;
import java.util.Collection;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;

/**
 * Multiply-adds (x2) of the convolutions and dense layers among the given vertices, for one image: the
 * arithmetic that dominates a step. A step costs about twice the forward count (the backward pass to the
 * input repeats each convolution transposed); pooling, ReLU and adds are left out as negligible.
 */
public final class Flops {
    private Flops() {
    }

    public static double forward(GraphSpec spec, Collection<String> vertices) {
        double flops = 0;
        for (String name : vertices) {
            GraphSpec.Vertex v = spec.vertex(name);
            if (v == null || v.layer() == null || v.outputType() == null) {
                continue;
            }
            if (v.layer().getClass() == ConvolutionLayer.class
                    && v.outputType() instanceof InputType.InputTypeConvolutional out) {
                ConvolutionLayer c = (ConvolutionLayer) v.layer();
                flops += 2.0 * c.getKernelSize()[0] * c.getKernelSize()[1] * c.getNIn() * c.getNOut()
                        * out.getHeight() * out.getWidth();
            } else if (v.layer() instanceof FeedForwardLayer f && v.outputType() instanceof InputType.InputTypeFeedForward) {
                flops += 2.0 * f.getNIn() * f.getNOut();
            }
        }
        return flops;
    }
}
