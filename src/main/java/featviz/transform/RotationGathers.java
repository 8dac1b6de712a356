package featviz.transform;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The bilinear rotation of {@link BilinearSampler#rotation} as gathers, for the portable path.
 *
 * <p>Both directions weigh a pair (output p, input q) by the bilinear tent {@code t(sx(p) - qx) t(sy(p) - qy)},
 * {@code t(d) = max(0, 1 - |d|)}, where s(p) is p's source point: that is the host sampler's weight for q when
 * q is one of p's four taps, and 0 otherwise. Forward, each output gathers its four taps from the image padded
 * by one pixel of zeros (taps outside the image read the padding; windows wholly outside are clamped to its
 * edge, where the tents are 0). Adjoint, without a scatter (libnd4j's {@code scatter_add} would race or
 * serialise, and on a GPU sums in no fixed order), each input pixel gathers the gradients of the outputs that
 * read it: those lie within sqrt(2) of the point it rotates to (a tap is less than one pixel away along each
 * axis, a square the rotation keeps within that radius), so the 3 x 3 outputs around its nearest output pixel
 * hold them all, read from the gradient padded by two pixels of zeros. Same weights both ways: the exact
 * transpose, summed in a fixed order. Coordinates are computed in double, on the device, as [taps, pixels]
 * arrays built by broadcasting, so a rotation costs a few dozen whole-array ops, whatever its size.
 */
final class RotationGathers implements Sampler {
    private static final double[] TAP_X = {0, 1, 0, 1};
    private static final double[] TAP_Y = {0, 0, 1, 1};

    private final long[] shape;
    private final int height;
    private final int width;
    private final double cos;
    private final double sin;
    private final double cy;
    private final double cx;

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

    /** a[x] + b[y] over the H x W plane, row-major, as a vector of H * W. */
    private INDArray plane(INDArray alongX, INDArray alongY) {
        return Nd4j.zeros(DataType.DOUBLE, height, width).addiColumnVector(alongY.reshape(height, 1))
                .addiRowVector(alongX.reshape(1, width)).reshape(-1);
    }

    /** Offsets from the centre of columns 0..W-1 and rows 0..H-1. */
    private INDArray dx() {
        return SamplingOps.range(width).subi(cx);
    }

    private INDArray dy() {
        return SamplingOps.range(height).subi(cy);
    }

    /** [rows, n]: row r is v + offsets[r]. */
    private static INDArray rowsPlus(INDArray v, double... offsets) {
        return v.reshape(1, v.length()).repeat(0, offsets.length)
                .addiColumnVector(Nd4j.createFromArray(offsets).reshape(offsets.length, 1));
    }

    private static INDArray clamp(INDArray a, double lo, double hi) {
        return Transforms.min(Transforms.max(a, lo, false), hi, false);
    }

    /** Planes [P, h * w] padded by {@code pad} zeros on every side, as [P, (h + 2 pad) * (w + 2 pad)]. */
    private INDArray padded(INDArray a, int pad) {
        long planes = a.size(0) * a.size(1);
        INDArray out = Nd4j.zeros(a.dataType(), planes, height + 2L * pad, width + 2L * pad);
        out.get(NDArrayIndex.all(), NDArrayIndex.interval(pad, pad + height), NDArrayIndex.interval(pad, pad + width))
                .assign(a.reshape('c', planes, height, width));
        return out.reshape('c', planes, (height + 2L * pad) * (width + 2L * pad));
    }

    @Override
    public INDArray gather(INDArray image) {
        SamplingOps.check(image, shape);
        // source points, as the host sampler computes them: (cx + cos dx) - sin dy and (cy + sin dx) + cos dy
        INDArray sx = plane(dx().muli(cos).addi(cx), dy().muli(-sin));
        INDArray sy = plane(dx().muli(sin).addi(cy), dy().muli(cos));
        INDArray x0 = clamp(Transforms.floor(sx, true), -1, width - 1);
        INDArray y0 = clamp(Transforms.floor(sy, true), -1, height - 1);
        int stride = width + 2;
        INDArray index = rowsPlus(y0.add(1).muli(stride).addi(x0).addi(1), 0, 1, stride, stride + 1);
        INDArray weight = SamplingOps.tent(rowsPlus(sx.subi(x0), negated(TAP_X)))
                .muli(SamplingOps.tent(rowsPlus(sy.subi(y0), negated(TAP_Y))));
        return SamplingOps.weightedTaps(padded(image, 1), index.reshape(-1), weight.reshape(-1), 4).reshape('c', shape);
    }

    @Override
    public INDArray scatter(INDArray grad) {
        SamplingOps.check(grad, shape);
        // where each input pixel q lands: (cx + cos dx) + sin dy and (cy - sin dx) + cos dy; nearest output p0
        INDArray px = clamp(Transforms.floor(plane(dx().muli(cos).addi(cx), dy().muli(sin)).addi(0.5), false), -1, width);
        INDArray py = clamp(Transforms.floor(plane(dx().muli(-sin).addi(cy), dy().muli(cos)).addi(0.5), false), -1, height);
        // p0's source point minus q; a candidate p0 + (ox, oy) adds (cos ox - sin oy, sin ox + cos oy)
        INDArray baseX = px.sub(cx).muli(cos).addi(cx).subi(py.sub(cy).muli(sin)).subi(plane(SamplingOps.range(width),
                Nd4j.zeros(DataType.DOUBLE, height)));
        INDArray baseY = px.sub(cx).muli(sin).addi(cy).addi(py.sub(cy).muli(cos)).subi(plane(Nd4j.zeros(DataType.DOUBLE,
                width), SamplingOps.range(height)));
        double[] shiftX = new double[9];
        double[] shiftY = new double[9];
        double[] shiftIndex = new double[9];
        int stride = width + 4;
        for (int t = 0; t < 9; t++) {
            int ox = t % 3 - 1;
            int oy = t / 3 - 1;
            shiftX[t] = cos * ox - sin * oy;
            shiftY[t] = sin * ox + cos * oy;
            shiftIndex[t] = oy * stride + ox;
        }
        INDArray index = rowsPlus(py.addi(2).muli(stride).addi(px).addi(2), shiftIndex);
        INDArray weight = SamplingOps.tent(rowsPlus(baseX, shiftX)).muli(SamplingOps.tent(rowsPlus(baseY, shiftY)));
        return SamplingOps.weightedTaps(padded(grad, 2), index.reshape(-1), weight.reshape(-1), 9).reshape('c', shape);
    }

    private static double[] negated(double[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = -a[i];
        }
        return out;
    }
}
