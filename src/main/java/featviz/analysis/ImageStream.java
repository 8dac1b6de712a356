package featviz.analysis;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Files read in batches of at most {@code batch} images, so that a directory of any size costs one batch of
 * pixels and activations at a time.
 */
public final class ImageStream {
    /** Receives the images of one batch that could be read, and their files in the same order; the array is freed after. */
    @FunctionalInterface
    public interface BatchConsumer {
        void accept(List<Path> files, INDArray images);
    }

    private ImageStream() {
    }

    /**
     * @param progress called with the number of files handled so far (read or skipped), after each batch
     */
    public static void forEachBatch(List<Path> files, ImageLoader loader, int batch, BatchConsumer consumer,
                                    IntConsumer progress) {
        List<Path> names = new ArrayList<>();
        List<INDArray> images = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            INDArray image = loader.read(files.get(i));
            if (image != null) {
                names.add(files.get(i));
                images.add(image);
            }
            if (images.size() == batch || (i == files.size() - 1 && !images.isEmpty())) {
                // ND4J's concat of one array is that array: releasing the parts would free the batch itself.
                INDArray joined = images.size() == 1 ? images.get(0) : Nd4j.concat(0, images.toArray(INDArray[]::new));
                if (images.size() > 1) {
                    images.forEach(featviz.model.op.Memory::release);
                }
                consumer.accept(List.copyOf(names), joined);
                featviz.model.op.Memory.release(joined);
                names.clear();
                images.clear();
            }
            if (images.isEmpty() || i == files.size() - 1) {
                progress.accept(i + 1);
            }
        }
    }
}
