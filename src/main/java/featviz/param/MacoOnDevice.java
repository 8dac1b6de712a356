package featviz.param;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link MacoParam}'s forward and backward as ND4J ops on the arrays where they live: the portable path's
 * version ({@code featviz.model.op.PortableOps}: the CUDA backend, or {@code -Dfeatviz.ops=portable}), where a
 * Java loop over host memory would copy the phase and the image off the device and back every step. The same
 * function as MacoParam's host loops, step by step:
 * <ul>
 * <li>per-image standardisation: a mean and a mean square along each image's row of a [N, n] view;</li>
 * <li>the odd self-conjugate columns: those (one or two) columns as one strided view, times a fixed symmetric
 *     [H, H] matrix (its own adjoint);</li>
 * <li>magnitude * e^{i p}: element-wise cos and sin times the magnitude tiled over the batch, written into the
 *     real and imaginary halves of {@link RealDft2}'s [H, 2, P, F] layout;</li>
 * <li>the sigmoid and colour matrix: {@link ValidRgb}, as the other parameterizations do.</li>
 * </ul>
 * The backward's phase gradient is Im(g) Re(s) - Re(g) Im(s) of the kept spectrum s = m e^{i p}: the same as
 * m (g_im cos p - g_re sin p), with no second cos and sin. What the backward needs of the forward (the
 * standardised values, their stds, the spectrum, the image) is kept outside any workspace, as
 * {@link LastImage} keeps an image, and only per-image scalars are ever reduced.
 */
final class MacoOnDevice {
    private final RealDft2 dft;
    private final ValidRgb rgb;
    private final int batch;
    private final int channels;
    private final int height;
    private final int width;
    private final int freqs;
    private final DataType dataType;
    /** [H, N*C, F]: the magnitude in the spectrum's order, tiled over the batch. */
    private final INDArray magnitude;
    /** [H, H]: p(ky) := (p(ky) - p(-ky)) / 2 except where ky = -ky; symmetric. */
    private final INDArray oddMap;
    /** Selects the self-conjugate columns kx = 0 (and W/2 for even W) of a [N, C, H, F] array as a view. */
    private final INDArrayIndex selfConjugate;
    private final LastImage last = new LastImage();
    /** Where {@link #image} keeps each of its values in {@link #last}. */
    private static final int IMAGE = 0;
    private static final int PHASE_Y = 1;
    private static final int PHASE_STD = 2;
    private static final int SPECTRUM = 3;
    private static final int PLANES_Y = 4;
    private static final int PLANES_STD = 5;

    /** @param magnitude [C, H, F] row-major, its self-conjugate columns already even */
    MacoOnDevice(RealDft2 dft, double[] magnitude, int batch, int channels, int height, int width,
                 boolean decorrelate, DataType dataType) {
        this.dft = dft;
        this.rgb = new ValidRgb(decorrelate);
        this.batch = batch;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.freqs = RealDft2.frequencies(width);
        this.dataType = dataType;
        this.selfConjugate = width % 2 == 0 ? NDArrayIndex.interval(0, freqs - 1, freqs) : NDArrayIndex.interval(0, 1);
        try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            INDArray perChannel = Nd4j.create(magnitude, new long[] {channels, height, freqs}, 'c');
            INDArray tiled = Nd4j.create(DataType.DOUBLE, height, (long) batch * channels, freqs);
            for (int b = 0; b < batch; b++) {
                tiled.get(NDArrayIndex.all(), NDArrayIndex.interval((long) b * channels, (long) (b + 1) * channels),
                        NDArrayIndex.all()).assign(perChannel.permute(1, 0, 2));
            }
            this.magnitude = tiled.castTo(dataType);
            this.oddMap = oddMap(height).castTo(dataType);
        }
    }

    private static INDArray oddMap(int height) {
        double[][] m = new double[height][height];
        for (int ky = 0; ky < height; ky++) {
            int mirror = (height - ky) % height;
            if (mirror == ky) {
                m[ky][ky] = 1;
            } else {
                m[ky][ky] = 0.5;
                m[ky][mirror] = -0.5;
            }
        }
        return Nd4j.create(m);
    }

    /** Per image (row): y = (x - mean) / (std + eps), std the population std. Returns {y, std [rows, 1]}. */
    private static INDArray[] standardise(INDArray rows) {
        INDArray centred = rows.subColumnVector(rows.mean(true, 1));
        INDArray std = Transforms.sqrt(centred.mul(centred).mean(true, 1), false);
        return new INDArray[] {centred.diviColumnVector(std.add(MacoParam.EPSILON)), std};
    }

    /** The adjoint of {@link #standardise} at y, std: g_x = (g - mean(g)) / (std + eps) - y sum(g y) / (n std). */
    private static INDArray standardiseBackward(INDArray g, INDArray y, INDArray std) {
        INDArray k = g.mul(y).sum(true, 1).divi(std.mul(g.size(1)));
        return g.subColumnVector(g.mean(true, 1)).diviColumnVector(std.add(MacoParam.EPSILON))
                .subi(y.mulColumnVector(k));
    }

    /** Makes the self-conjugate columns of p [N, C, H, F] odd, in place (a symmetric map: its own adjoint). */
    private INDArray oddColumns(INDArray p) {
        INDArray columns = p.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), selfConjugate);
        long k = columns.size(3);
        INDArray byColumn = columns.permute(0, 1, 3, 2).dup('c').reshape('c', batch * channels * k, height);
        columns.assign(byColumn.mmul(oddMap).reshape('c', batch, channels, k, height).permute(0, 1, 3, 2));
        return p;
    }

    /** The image [N, C, H, W] of the phase [N, C, H, F]; keeps what {@link #backward} needs. */
    INDArray image(INDArray phase) {
        long planes = (long) batch * channels;
        INDArray[] phaseStd = standardise(phase.castTo(dataType).reshape('c', batch, planes / batch * height * freqs));
        INDArray angle = oddColumns(phaseStd[0].dup('c').reshape('c', batch, channels, height, freqs));
        INDArray byRow = angle.reshape('c', planes, height, freqs).permute(1, 0, 2); // [H, P, F]
        INDArray spectrum = Nd4j.create(dataType, height, 2, planes, freqs);
        part(spectrum, 0).assign(Transforms.cos(byRow, true).muli(magnitude));
        part(spectrum, 1).assign(Transforms.sin(byRow, true).muli(magnitude));
        INDArray[] planesStd = standardise(dft.inverse(spectrum).reshape('c', batch, planes / batch * height * width));
        INDArray image = rgb.forward(planesStd[0].reshape('c', batch, channels, height, width));
        // in the order IMAGE, PHASE_Y, PHASE_STD, SPECTRUM, PLANES_Y, PLANES_STD
        last.remember(phase, image, phaseStd[0], phaseStd[1], spectrum, planesStd[0], planesStd[1]);
        return image;
    }

    /** d objective / d phase from d objective / d image, at the phase given (the forward's if unchanged since). */
    INDArray backward(INDArray phase, INDArray gradImage) {
        INDArray[] kept = last.valuesOf(phase);
        if (kept == null) {
            image(phase);
            kept = last.valuesOf(phase);
        }
        long planes = (long) batch * channels;
        INDArray gradValues = rgb.backward(gradImage, kept[IMAGE]);
        INDArray gradPlanes = standardiseBackward(gradValues.reshape('c', batch, planes / batch * height * width),
                kept[PLANES_Y], kept[PLANES_STD]);
        INDArray gradSpectrum = dft.inverseAdjoint(gradPlanes.reshape('c', planes, height, width));
        INDArray spectrum = kept[SPECTRUM];
        // d/dp of (m cos p, m sin p) is (-m sin p, m cos p) = (-Im s, Re s)
        INDArray byRow = part(gradSpectrum, 1).mul(part(spectrum, 0)).subi(part(gradSpectrum, 0).mul(part(spectrum, 1)));
        INDArray gradAngle = oddColumns(byRow.permute(1, 0, 2).dup('c').reshape('c', batch, channels, height, freqs));
        return standardiseBackward(gradAngle.reshape('c', batch, planes / batch * height * freqs), kept[PHASE_Y], kept[PHASE_STD])
                .reshape('c', batch, channels, height, freqs);
    }

    /** The real (0) or imaginary (1) half [H, P, F] of a spectrum [H, 2, P, F], as a view. */
    private static INDArray part(INDArray spectrum, int which) {
        return spectrum.get(NDArrayIndex.all(), NDArrayIndex.point(which), NDArrayIndex.all(), NDArrayIndex.all());
    }
}
