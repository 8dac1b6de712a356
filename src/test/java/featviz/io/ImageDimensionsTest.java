package featviz.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import featviz.UsageException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** ImageFiles.dimensions reads {width, height} from the header: the same as decoding the whole image gives. */
class ImageDimensionsTest {
    @TempDir
    Path dir;

    private Path write(String format, int width, int height, int type) throws Exception {
        Path file = dir.resolve(width + "x" + height + "." + format);
        ImageIO.write(new BufferedImage(width, height, type), format, file.toFile());
        return file;
    }

    private static void assertAsDecoded(Path file) {
        INDArray decoded = ImageFiles.readOriginalSize(file);
        assertArrayEquals(new int[] {(int) decoded.size(3), (int) decoded.size(2)}, ImageFiles.dimensions(file), file.toString());
    }

    @Test
    void pngsFromTheirHeaderOtherFormatsThroughImageIo() throws Exception {
        assertAsDecoded(write("png", 5, 3, BufferedImage.TYPE_INT_RGB));      // the IHDR path
        assertAsDecoded(write("png", 300, 7, BufferedImage.TYPE_BYTE_GRAY));
        assertAsDecoded(write("bmp", 6, 9, BufferedImage.TYPE_INT_RGB));      // ImageIO's reader
        assertAsDecoded(write("jpg", 17, 4, BufferedImage.TYPE_INT_RGB));
    }

    @Test
    void aFileThatIsNoImageIsAUsageError() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.png"), "a text file named like a picture");
        assertThrows(UsageException.class, () -> ImageFiles.dimensions(text));
        assertThrows(UsageException.class, () -> ImageFiles.dimensions(dir.resolve("missing.png")));
    }
}
