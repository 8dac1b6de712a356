package featviz.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.UsageException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The IDX reader on tiny files written here, gzipped and plain, and Fashion-MNIST's file lookup. */
class IdxTest {
    @TempDir
    Path dir;

    /** 3 images of 2x4 whose pixel values are all different, as an IDX file of unsigned bytes. */
    private static byte[] images() throws IOException {
        byte[] pixels = new byte[3 * 2 * 4];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 11); // up to 253: exercises the unsigned range (> 127)
        }
        return idx(new int[] {3, 2, 4}, pixels);
    }

    private static byte[] idx(int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x0800 | dims.length);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(data);
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] content, boolean gzip) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
            out.write(content);
        }
        return p;
    }

    @Test
    void readsGzippedAndPlainFilesAlike() throws IOException {
        Idx gz = Idx.read(write("a.gz", images(), true));
        Idx plain = Idx.read(write("a", images(), false));
        assertArrayEquals(new int[] {3, 2, 4}, gz.dims());
        assertArrayEquals(gz.data(), plain.data());
        assertEquals(24, gz.data().length);
        assertEquals(253, gz.data()[23] & 0xFF);
    }

    @Test
    void batchesArePixelsOver255InNchwWithLabels() throws IOException {
        LabeledImages set = LabeledImages.of(Idx.read(write("i.gz", images(), true)),
                Idx.read(write("l.gz", idx(new int[] {3}, new byte[] {7, 0, 9}), true)));
        assertEquals(3, set.size());
        assertEquals(9, set.label(2));
        INDArray b = set.batch(new int[] {2, 0}, DataType.FLOAT);
        assertArrayEquals(new long[] {2, 1, 2, 4}, b.shape());
        // image 2, row 1, column 3 is element 2*8 + 1*4 + 3 = 23 of the file: 23*11 = 253
        assertEquals(253 / 255f, b.getFloat(0, 0, 1, 3), 1e-7);
        assertEquals(11 / 255f, b.getFloat(1, 0, 0, 1), 1e-7);
        assertEquals(set.pixel(2, 1, 3), 253);
        INDArray y = set.oneHot(new int[] {2, 0}, 10, DataType.FLOAT);
        assertEquals(1.0, y.getDouble(0, 9));
        assertEquals(2.0, y.sumNumber().doubleValue()); // one 1 per row
        assertEquals(1.0, y.getDouble(1, 7));
        assertArrayEquals(set.batch(1, 3, DataType.FLOAT).data().asFloat(),
                set.batch(new int[] {1, 2}, DataType.FLOAT).data().asFloat());
    }

    @Test
    void truncatedOrForeignFilesFailWithTheReason() throws IOException {
        byte[] whole = images();
        Path cut = write("cut", Arrays.copyOf(whole, whole.length - 1), false);
        assertTrue(assertThrows(IOException.class, () -> Idx.read(cut)).getMessage().contains("truncated"));
        byte[] floats = whole.clone();
        floats[2] = 0x0D; // element type float: not what the reader reads
        Path other = write("float", floats, false);
        assertTrue(assertThrows(IOException.class, () -> Idx.read(other)).getMessage().contains("not an unsigned-byte IDX"));
    }

    @Test
    void missingDatasetNamesTheDebianPackage() throws IOException {
        FashionMnist none = new FashionMnist(dir);
        assertFalse(none.available());
        UsageException e = assertThrows(UsageException.class, none::test);
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        write("t10k-images-idx3-ubyte.gz", images(), true);
        write("t10k-labels-idx1-ubyte", idx(new int[] {3}, new byte[] {1, 2, 3}), false); // plain works too
        LabeledImages test = none.test();
        assertEquals(3, test.size());
        assertEquals(2, test.label(1));
        assertFalse(none.available()); // the training files are still missing
    }

    @Test
    void imagesAndLabelsMustAgreeInCount() throws IOException {
        Idx img = Idx.read(write("i", images(), false));
        Idx lab = Idx.read(write("l", idx(new int[] {2}, new byte[] {1, 2}), false));
        assertTrue(assertThrows(IOException.class, () -> LabeledImages.of(img, lab)).getMessage().contains("3 images but 2 labels"));
    }
}
