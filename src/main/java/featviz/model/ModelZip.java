package featviz.model;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.nd4j.common.primitives.Triple;
import org.nd4j.linalg.api.buffer.BaseDataBuffer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataBuffer.AllocationMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model zip in DL4J's ModelSerializer format, read entry by entry from the file: configuration.json, and
 * coefficients.bin streamed a range at a time ({@link Parameters}). ModelSerializer copies every entry into
 * a byte array on the Java heap and builds the whole network from it: for a VGG19 with its dense head (127
 * million parameters) that peaked at 2.7 GB resident and took 6.6 s before the first step.
 */
final class ModelZip {
    private static final String CONFIGURATION = "configuration.json";
    private static final String PARAMETERS = "coefficients.bin";

    private ModelZip() {
    }

    /** The network configuration as JSON, naming preprocessor classes featviz has ({@link KerasPreprocessors}). */
    static String configurationJson(Path path) throws IOException {
        try (ZipFile zip = new ZipFile(path.toFile()); InputStream in = entry(zip, CONFIGURATION)) {
            return KerasPreprocessors.toRuntimeClasses(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static InputStream entry(ZipFile zip, String name) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new NoSuchFileException(name, null, "not a DL4J model zip (no " + name + " inside)");
        }
        return zip.getInputStream(entry);
    }

    /**
     * The flat parameter vector of coefficients.bin (Nd4j.write's format: the shape's buffer, then the data's,
     * each a header and big-endian elements), read front to back: ranges can be skipped, which still inflates
     * them but stores nothing, and reading can stop early.
     */
    /** Counts the bytes read through it, to know where the headers end. */
    private static final class CountingInputStream extends java.io.FilterInputStream {
        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }
    }

    static final class Parameters implements Closeable {
        private final ZipFile zip;
        private final DataInputStream in;
        private final DataType type;
        private final long length;
        private final long headerBytes;
        private final long entryBytes; // the inflated entry's size as the zip records it, -1 if it does not
        private final byte[] chunk = new byte[1 << 20];
        private long position; // elements read or skipped

        Parameters(Path path) throws IOException {
            zip = new ZipFile(path.toFile());
            try {
                ZipEntry entry = zip.getEntry(PARAMETERS);
                entryBytes = entry == null ? -1 : entry.getSize();
                CountingInputStream counted = new CountingInputStream(new BufferedInputStream(entry(zip, PARAMETERS), 1 << 16));
                in = new DataInputStream(counted);
                Triple<AllocationMode, Long, DataType> shape = BaseDataBuffer.readHeader(in);
                DataBuffer shapeInfo = Nd4j.createBufferDetached(new long[] {shape.getMiddle()}, shape.getRight());
                shapeInfo.read(in, shape.getLeft(), shape.getMiddle(), shape.getRight());
                Triple<AllocationMode, Long, DataType> data = BaseDataBuffer.readHeader(in);
                type = data.getRight();
                length = data.getMiddle();
                headerBytes = counted.count();
                if (type != DataType.FLOAT && type != DataType.DOUBLE) {
                    throw new IOException("parameters of type " + type + " (featviz reads float and double)");
                }
            } catch (IOException | RuntimeException e) {
                zip.close();
                throw e;
            }
        }

        /**
         * Checks that the entry is as long as its header says, without inflating it: a truncated copy (or one
         * with bytes after the parameters) is reported before any work instead of failing half-way.
         */
        void checkComplete() throws IOException {
            long expected = headerBytes + length * type.width();
            if (entryBytes >= 0 && entryBytes != expected) {
                throw new IOException("coefficients.bin has " + entryBytes + " bytes where its header announces "
                        + length + " parameters (" + expected + " bytes): the file is " + (entryBytes < expected ? "truncated" : "longer than it says"));
            }
        }

        DataType type() {
            return type;
        }

        long length() {
            return length;
        }

        /** Skips to element {@code index}, which is not behind the elements already read. */
        void skipTo(long index) throws IOException {
            if (index < position || index > length) {
                throw new IllegalArgumentException("element " + index + " from " + position + " of " + length);
            }
            in.skipNBytes((index - position) * type.width());
            position = index;
        }

        /** The next {@code count} elements into a new dense row vector [1, count] of {@link #type()}. */
        INDArray read(long count) throws IOException {
            if (position + count > length) {
                throw new IOException("coefficients.bin holds " + length + " parameters, not " + (position + count));
            }
            INDArray out;
            try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                out = Nd4j.createUninitialized(type, 1, count);
            }
            ByteBuffer target = out.data().asNio().order(ByteOrder.nativeOrder());
            long bytes = count * type.width();
            for (long done = 0; done < bytes; ) {
                int n = (int) Math.min(chunk.length, bytes - done);
                in.readFully(chunk, 0, n);
                ByteBuffer source = ByteBuffer.wrap(chunk, 0, n).order(ByteOrder.BIG_ENDIAN);
                // Element by element through typed views: the file is big-endian, the array native.
                if (type == DataType.FLOAT) {
                    target.asFloatBuffer().position((int) (done / 4)).put(source.asFloatBuffer());
                } else {
                    target.asDoubleBuffer().position((int) (done / 8)).put(source.asDoubleBuffer());
                }
                done += n;
            }
            position += count;
            return out;
        }

        @Override
        public void close() throws IOException {
            try {
                in.close();
            } finally {
                zip.close();
            }
        }
    }
}
