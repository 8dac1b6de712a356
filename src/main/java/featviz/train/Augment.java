package featviz.train;

import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Light training augmentation for small grayscale images: a random shift (zero fill) and a random left-right flip. */
final class Augment {
    private Augment() {
    }

    /** A new [n, 1, h, w] array: each image shifted by up to {@code max} pixels each way and flipped with p = 1/2. */
    static INDArray shiftAndFlip(INDArray x, Random random, int max) {
        long n = x.size(0);
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        float[] in = x.dup('c').data().asFloat();
        float[] out = new float[in.length];
        for (int k = 0; k < n; k++) {
            int dy = random.nextInt(2 * max + 1) - max;
            int dx = random.nextInt(2 * max + 1) - max;
            boolean flip = random.nextBoolean();
            int base = k * h * w;
            for (int r = 0; r < h; r++) {
                int sr = r - dy;
                if (sr < 0 || sr >= h) {
                    continue;
                }
                for (int c = 0; c < w; c++) {
                    int sc = (flip ? w - 1 - c : c) - dx;
                    if (sc >= 0 && sc < w) {
                        out[base + r * w + c] = in[base + sr * w + sc];
                    }
                }
            }
        }
        return Nd4j.create(out, x.shape(), 'c');
    }
}
