package featviz.transform;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The bilinear rotation of {@link BilinearSampler#rotation} as gathers, for the portable path. Forward: each
 * output pixel gathers its four source taps and weighs them. Adjoint, without a scatter (libnd4j's
 * {@code scatter_add} would race or serialise, and on a GPU sums in no fixed order): each input pixel gathers
 * the gradients of the outputs that read it. Those outputs lie within sqrt(2) of the input pixel's image under
 * the rotation (a tap is less than one pixel away along each axis, a square the rotation keeps within that
 * radius), so the 3 x 3 output pixels around its nearest output pixel hold them all. For each candidate the
 * source point is recomputed with the forward's very arithmetic, and the weight is the forward tap's weight
 * when the input pixel is one of its taps, else 0: the adjoint is the exact transpose, in a fixed order.
 */
final class RotationGathers implements Sampler {
    private final long[] shape;
    private final int height;
    private final int width;
    private final double cos;
    private final double sin;
    private final double cy;
    private final double cx;
    /** [4 * pixels] each: the forward's taps, tap-major; built at the first gather. */
    private INDArray forwardIndex;
    private INDArray forwardWeight;

    RotationGathers(long[] shape, double degrees) {
        this.shape = shape.clone();
        this.height = (int) shape[2];
        this.width = (int) shape[3];
        double radians = Math.toRadians(degrees);
        this.cos = Math.cos(radians);
        this.sin = Math.sin(radians);
        this.cy = (height - 1) / 2.0;
        this.cx = (width - 1) / 2.0;
    }

    /** Source points of output pixels (x, y): the inverse rotation of their offset from the centre. */
    private INDArray[] source(INDArray x, INDArray y) {
        INDArray dx = x.sub(cx);
        INDArray dy = y.sub(cy);
        INDArray sx = dx.mul(cos).addi(cx).subi(dy.mul(sin));
        INDArray sy = dx.mul(sin).addi(cy).addi(dy.mul(cos));
        return new INDArray[] {sx, sy};
    }

    /** Row and column of every pixel of an H x W plane, row-major, in double. */
    private INDArray[] grid() {
        INDArray p = SamplingOps.range((long) height * width);
        INDArray y = Transforms.floor(p.div(width), false);
        INDArray x = p.sub(y.mul(width));
        return new INDArray[] {x, y};
    }

    @Override
    public INDArray gather(INDArray image) {
        SamplingOps.check(image, shape);
        if (forwardIndex == null) {
            buildForward();
        }
        return SamplingOps.weightedTaps(SamplingOps.planes(image), forwardIndex, forwardWeight, 4).reshape('c', shape);
    }

    private void buildForward() {
        INDArray[] xy = grid();
        INDArray[] s = source(xy[0], xy[1]);
        INDArray x0 = Transforms.floor(s[0], true);
        INDArray y0 = Transforms.floor(s[1], true);
        INDArray fx = s[0].sub(x0);
        INDArray fy = s[1].sub(y0);
        INDArray[] index = new INDArray[4];
        INDArray[] weight = new INDArray[4];
        for (int t = 0; t < 4; t++) {
            int a = t / 2;
            int b = t % 2;
            INDArray yy = y0.add(a);
            INDArray xx = x0.add(b);
            INDArray valid = SamplingOps.within(yy, 0, height - 1).muli(SamplingOps.within(xx, 0, width - 1));
            index[t] = yy.mul(width).addi(xx).muli(valid);
            weight[t] = (a == 0 ? fy.rsub(1.0) : fy.dup()).muli(b == 0 ? fx.rsub(1.0) : fx).muli(valid);
        }
        forwardIndex = Nd4j.concat(0, index);
        forwardWeight = Nd4j.concat(0, weight);
    }

    @Override
    public INDArray scatter(INDArray grad) {
        SamplingOps.check(grad, shape);
        INDArray[] q = grid(); // input pixels (xi, yi)
        // where each input pixel lands: the forward rotation of its offset from the centre
        INDArray dx = q[0].sub(cx);
        INDArray dy = q[1].sub(cy);
        INDArray px = Transforms.floor(dx.mul(cos).addi(cx).addi(dy.mul(sin)).addi(0.5), false);
        INDArray py = Transforms.floor(dy.mul(cos).addi(cy).subi(dx.mul(sin)).addi(0.5), false);
        INDArray[] index = new INDArray[9];
        INDArray[] weight = new INDArray[9];
        for (int t = 0; t < 9; t++) {
            INDArray ox = px.add(t % 3 - 1);
            INDArray oy = py.add(t / 3 - 1);
            INDArray inside = SamplingOps.within(ox, 0, width - 1).muli(SamplingOps.within(oy, 0, height - 1));
            INDArray[] s = source(ox, oy);
            INDArray x0 = Transforms.floor(s[0], true);
            INDArray y0 = Transforms.floor(s[1], true);
            INDArray fx = s[0].sub(x0);
            INDArray fy = s[1].sub(y0);
            INDArray b = q[0].sub(x0); // which of the candidate's taps the input pixel is: 0 or 1 along x
            INDArray a = q[1].sub(y0);
            INDArray wx = SamplingOps.equal(b, 0).muli(fx.rsub(1.0)).addi(SamplingOps.equal(b, 1).muli(fx));
            INDArray wy = SamplingOps.equal(a, 0).muli(fy.rsub(1.0)).addi(SamplingOps.equal(a, 1).muli(fy));
            index[t] = oy.mul(width).addi(ox).muli(inside);
            weight[t] = wy.muli(wx).muli(inside);
        }
        INDArray out = SamplingOps.weightedTaps(SamplingOps.planes(grad), Nd4j.concat(0, index),
                Nd4j.concat(0, weight), 9);
        return out.reshape('c', shape);
    }
}
