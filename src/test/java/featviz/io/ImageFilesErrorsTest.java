package featviz.io;

import featviz.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Files ImageFiles cannot read fail with a one-line UsageException that names the file and the cause. */
class ImageFilesErrorsTest {
    @TempDir
    Path dir;

    @Test
    void missingFile() {
        Path missing = dir.resolve("nowhere.jpg");

        String message = failureReading(missing);

        assertEquals("cannot read image " + missing + ": no such file", message);
    }

    @Test
    void directory() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("photos.png"));

        assertEquals("cannot read image " + folder + ": it is a directory, not a file", failureReading(folder));
    }

    @Test
    void randomBytesNamedJpg() throws IOException {
        byte[] noise = new byte[256];
        new Random(1).nextBytes(noise);
        Path file = Files.write(dir.resolve("holiday.jpg"), noise);

        assertEquals("cannot read image " + file + ": not an image file (or a format featviz cannot read)",
                failureReading(file));
    }

    @Test
    void textFile() throws IOException {
        Path file = Files.writeString(dir.resolve("notes.png"), "not a picture\n");

        assertTrue(failureReading(file).endsWith(": not an image file (or a format featviz cannot read)"));
    }

    @Test
    void truncatedPng() throws IOException {
        Path whole = TestImages.write(TestImages.randomRgb(32, 32, 3), "png", dir.resolve("whole.png"));
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = Files.write(dir.resolve("cut.png"), Arrays.copyOf(bytes, bytes.length / 2));

        String message = failureReading(cut);

        assertTrue(message.startsWith("cannot read image " + cut + ": damaged or unsupported image data ("), message);
    }

    /** The header alone tells the size: nothing is decoded, however large the image claims to be. */
    @Test
    void imageTooLarge() throws IOException {
        Path huge = Files.write(dir.resolve("huge.png"), pngHeaderOnly(20_000, 20_000));

        assertEquals("cannot read image " + huge + ": it is 20000 x 20000 pixels, more than the 100 megapixels featviz reads",
                failureReading(huge));
    }

    private static String failureReading(Path path) {
        String message = assertThrows(UsageException.class, () -> ImageFiles.read(path, 4)).getMessage();
        assertFalse(message.contains("\n"), "one line: " + message);
        assertTrue(message.contains(path.getFileName().toString()), message);
        return message;
    }

    /** A PNG signature and an IHDR chunk for an 8-bit RGB image of the given size, and no pixel data. */
    private static byte[] pngHeaderOnly(int width, int height) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        DataOutputStream header = new DataOutputStream(chunk);
        header.write("IHDR".getBytes(StandardCharsets.US_ASCII));
        header.writeInt(width);
        header.writeInt(height);
        header.write(new byte[] {8, 2, 0, 0, 0});
        CRC32 crc = new CRC32();
        crc.update(chunk.toByteArray());
        out.writeInt(13);
        out.write(chunk.toByteArray());
        out.writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }
}
