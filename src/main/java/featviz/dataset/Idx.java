package featviz.dataset;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * One IDX file (the MNIST format: a magic number whose third byte is the element type and fourth the number of
 * dimensions, big-endian 32-bit sizes, then the elements), unsigned bytes only, gzipped or not (told by the
 * gzip magic, not the file name).
 *
 * @param dims the sizes, outermost first (images: count, rows, columns; labels: count)
 * @param data the elements in row-major order, as unsigned bytes (read them with {@code & 0xFF})
 */
public record Idx(int[] dims, byte[] data) {
    private static final int UBYTE = 0x08;

    public static Idx read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
            return read(new DataInputStream(in), file);
        }
    }

    private static Idx read(DataInputStream in, Path file) throws IOException {
        int magic = in.readInt();
        if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xFF) != UBYTE || (magic & 0xFF) == 0) {
            throw new IOException(file + " is not an unsigned-byte IDX file (magic 0x" + Integer.toHexString(magic) + ")");
        }
        int[] dims = new int[magic & 0xFF];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = in.readInt();
            count *= dims[i];
            if (dims[i] < 0 || count > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": IDX sizes " + Arrays.toString(Arrays.copyOf(dims, i + 1)) + " out of range");
            }
        }
        byte[] data = new byte[(int) count];
        try {
            in.readFully(data);
        } catch (java.io.EOFException e) {
            throw new IOException(file + " is truncated: expected " + count + " elements for sizes " + Arrays.toString(dims));
        }
        return new Idx(dims, data);
    }
}
