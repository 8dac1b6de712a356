package featviz.io;

import featviz.RunFailure;
import featviz.UsageException;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes PNG files with text chunks (the settings that made an image), atomically and reproducibly:
 * the same image and text give the same bytes. The JDK's PNG writer adds no tIME chunk or any other
 * chunk we did not ask for, and encodes in memory rather than through ImageIO's disk cache.
 */
public final class PngWriter {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private PngWriter() {
    }

    /**
     * Writes {@code image} to {@code target}, replacing it atomically, with one text chunk per entry
     * of {@code text} in the map's order: tEXt for Latin-1 values, iTXt (UTF-8) for the rest.
     *
     * @throws UsageException when the target's directory does not exist or is not writable, or the target is a directory
     * @throws RunFailure when encoding or writing fails
     * @throws IllegalArgumentException for a key PNG does not allow (1 to 79 Latin-1 characters) or a value with NUL
     */
    public static void write(BufferedImage image, Path target, Map<String, String> text) {
        ImageWriter writer = pngWriter();
        try {
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), null);
            PngTextChunks.addTo(metadata, text);
            AtomicFiles.write(target, out -> {
                try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
                    writer.setOutput(stream);
                    writer.write(null, new IIOImage(image, null, metadata), null);
                }
            });
        } catch (IOException e) {
            throw new RunFailure("cannot write " + target + ": " + InputFiles.describe(e), e);
        } finally {
            writer.dispose();
        }
    }

    /**
     * The text chunks (tEXt, zTXt, iTXt) of a PNG file, sorted by key.
     *
     * @throws UsageException naming the file when it is missing, not a PNG or damaged
     */
    public static Map<String, String> readText(Path png) {
        InputFiles.requireReadableFile(png, "PNG file");
        try (ImageInputStream in = new FileImageInputStream(png.toFile())) {
            if (!startsWithSignature(in)) {
                throw InputFiles.cannotRead(png, "PNG file", "not a PNG file");
            }
            in.seek(0);
            ImageReader reader = pngReader();
            try {
                reader.setInput(in, true, false);
                return PngTextChunks.readFrom(reader.getImageMetadata(0));
            } finally {
                reader.dispose();
            }
        } catch (UsageException | RunFailure e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw InputFiles.cannotRead(png, "PNG file", "damaged PNG data (" + InputFiles.describe(e) + ")");
        }
    }

    private static boolean startsWithSignature(ImageInputStream in) throws IOException {
        byte[] start = new byte[SIGNATURE.length];
        try {
            in.readFully(start);
        } catch (EOFException e) {
            return false;
        }
        return Arrays.equals(start, SIGNATURE);
    }

    /** The JDK's reader, whose metadata tree is the one {@link PngTextChunks} reads. */
    private static ImageReader pngReader() {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("png");
        while (readers.hasNext()) {
            ImageReader reader = readers.next();
            if (PngTextChunks.FORMAT.equals(reader.getOriginatingProvider().getNativeImageMetadataFormatName())) {
                return reader;
            }
            reader.dispose();
        }
        throw new RunFailure("cannot read PNG files: this Java runtime has no standard PNG reader");
    }

    /** The JDK's writer, recognised by its metadata format, which is what the text chunks are built in. */
    private static ImageWriter pngWriter() {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        while (writers.hasNext()) {
            ImageWriter writer = writers.next();
            if (PngTextChunks.FORMAT.equals(writer.getOriginatingProvider().getNativeImageMetadataFormatName())) {
                return writer;
            }
            writer.dispose();
        }
        throw new RunFailure("cannot write PNG files: this Java runtime has no standard PNG writer");
    }
}
