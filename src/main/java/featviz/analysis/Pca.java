package featviz.analysis;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;

/**
 * Principal component projection with ND4J: the covariance matrix (one matrix product) and its eigenvectors
 * (LAPACK's syev through {@link Eigen}), which works with fewer points than dimensions too. Each component's sign is fixed so that its largest loading
 * is positive: the same data always gives the same picture, not a mirror image of it.
 */
public final class Pca {
    private Pca() {
    }

    /** The rows of {@code x} [n, d] centred and projected on the first {@code dims} principal components: [n, dims] DOUBLE. */
    public static INDArray project(INDArray x, int dims) {
        INDArray data = x.castTo(DataType.DOUBLE).dup();
        long d = data.size(1);
        int k = (int) Math.min(dims, d);
        INDArray mean = data.mean(0);
        data.subiRowVector(mean);
        // The covariance as one product of column-major operands: ND4J's PCA.covarianceMatrix adds one outer
        // product per row (10,000 of them for 10,000 images, each leaving a temporary to the garbage collector:
        // minutes and gigabytes), and PCA.principalComponents inverts an identity matrix on the way, failing on
        // the singular covariance of fewer points than dimensions. The symmetric eigensolver (LAPACK syev) does not.
        INDArray columns = data.dup('f');
        INDArray rowsT = data.transpose().dup('f');
        INDArray vectors = rowsT.mmul(columns).divi(data.size(0));
        featviz.model.op.Memory.release(columns);
        featviz.model.op.Memory.release(rowsT);
        double[] values = Eigen.symmetricGeneralizedEigenvalues(vectors, true).toDoubleVector(); // vectors: columns
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
        INDArray basis = org.nd4j.linalg.factory.Nd4j.create(DataType.DOUBLE, d, dims);
        for (int c = 0; c < k; c++) {
            INDArray v = vectors.getColumn(order[c]).dup();
            double[] loadings = v.toDoubleVector();
            int largest = 0;
            for (int i = 1; i < loadings.length; i++) {
                if (Math.abs(loadings[i]) > Math.abs(loadings[largest])) {
                    largest = i;
                }
            }
            if (loadings[largest] < 0) {
                v.negi();
            }
            basis.putColumn(c, v);
        }
        return data.mmul(basis);
    }
}
