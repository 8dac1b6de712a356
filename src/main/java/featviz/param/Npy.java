package featviz.param;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the one kind of NumPy {@code .npy} file featviz ships: little-endian float32 ({@code '<f4'}), C order,
 * format version 1 to 3. Anything else is refused rather than misread.
 */
final class Npy {
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    final int[] shape;
    final float[] values;

    private Npy(int[] shape, float[] values) {
        this.shape = shape;
        this.values = values;
    }

    static Npy read(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        byte[] magic = new byte[6];
        in.readFully(magic);
        if (magic[0] != (byte) 0x93 || !new String(magic, 1, 5, StandardCharsets.ISO_8859_1).equals("NUMPY")) {
            throw new IOException("not a .npy file");
        }
        int major = in.readUnsignedByte();
        in.readUnsignedByte();
        byte[] lengthBytes = new byte[major == 1 ? 2 : 4];
        in.readFully(lengthBytes);
        ByteBuffer lengthBuffer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).put(lengthBytes);
        int headerLength = lengthBuffer.getInt(0);
        byte[] header = new byte[headerLength];
        in.readFully(header);
        String text = new String(header, StandardCharsets.ISO_8859_1);
        if (!text.contains("'descr': '<f4'") || !text.contains("'fortran_order': False")) {
            throw new IOException("expected a little-endian float32 C-order array, got " + text.trim());
        }
        Matcher m = SHAPE.matcher(text);
        if (!m.find()) {
            throw new IOException("no shape in .npy header " + text.trim());
        }
        int[] shape = Arrays.stream(m.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToInt(Integer::parseInt).toArray();
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        byte[] data = new byte[Math.toIntExact(4 * count)];
        in.readFully(data);
        float[] values = new float[(int) count];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return new Npy(shape, values);
    }
}
