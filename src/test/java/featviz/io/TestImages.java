package featviz.io;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/** Tiny images made on the spot, and a look inside PNG files, for the io tests. */
final class TestImages {
    static final int RED = 0xff0000;
    static final int BLUE = 0x0000ff;

    private TestImages() {
    }

    /** Left half red, right half blue. */
    static BufferedImage redBlue(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, x < width / 2 ? RED : BLUE);
            }
        }
        return image;
    }

    static BufferedImage randomRgb(int width, int height, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return image;
    }

    /** Writes with the first ImageIO writer of the format whose class name starts with {@code writerPrefix}. */
    static Path write(BufferedImage image, String format, String writerPrefix, Path file) throws IOException {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
        while (writers.hasNext()) {
            ImageWriter writer = writers.next();
            if (writer.getClass().getName().startsWith(writerPrefix)) {
                Files.deleteIfExists(file);
                try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
                    writer.setOutput(out);
                    writer.write(null, new IIOImage(image, null, null), null);
                } finally {
                    writer.dispose();
                }
                return file;
            }
        }
        throw new IllegalStateException("no " + format + " writer from " + writerPrefix);
    }

    static Path write(BufferedImage image, String format, Path file) throws IOException {
        if (!ImageIO.write(image, format, file.toFile())) {
            throw new IllegalStateException("no " + format + " writer for image type " + image.getType());
        }
        return file;
    }

    /** One PNG chunk: its four-letter type and its data. */
    record Chunk(String type, byte[] data) {
        String latin1() {
            return new String(data, StandardCharsets.ISO_8859_1);
        }
    }

    /** The chunks of a PNG file in file order, read by hand so the test does not trust ImageIO's view. */
    static List<Chunk> chunks(byte[] png) {
        ByteBuffer buffer = ByteBuffer.wrap(png);
        buffer.position(8);
        List<Chunk> chunks = new ArrayList<>();
        while (buffer.remaining() >= 12) {
            int length = buffer.getInt();
            byte[] type = new byte[4];
            buffer.get(type);
            byte[] data = new byte[length];
            buffer.get(data);
            buffer.getInt();
            chunks.add(new Chunk(new String(type, StandardCharsets.US_ASCII), data));
        }
        return chunks;
    }

    static List<String> chunkTypes(byte[] png) {
        return chunks(png).stream().map(Chunk::type).toList();
    }

    /** The entries of a directory, for checking that nothing was left behind. */
    static List<String> listing(Path directory) throws IOException {
        try (var entries = Files.list(directory)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
