package featviz.io;

import featviz.UsageException;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;

/** Decodes an image file with ImageIO and the TwelveMonkeys plugins, or says in one line why it cannot. */
final class ImageDecoder {
    /**
     * Decoding takes 4 to 8 bytes a pixel and the float planes 12 more: 100 megapixels is about 2 GB,
     * the most a start image sensibly needs. Checked against the header before any pixel is decoded.
     */
    static final long MAX_PIXELS = 100_000_000L;

    static {
        // ImageIO registers the plugins it finds with the context class loader of the first thread that
        // touches it, which need not be ours; scanning from here makes sure the TwelveMonkeys readers
        // (CMYK JPEG, WebP, PSD, better TIFF and BMP) on the plain class path are known.
        ImageIO.scanForPlugins();
    }

    private ImageDecoder() {
    }

    /** @throws UsageException naming the file when it is missing, not an image or damaged */
    static BufferedImage decode(Path path) {
        InputFiles.requireReadableFile(path, "image");
        return withReader(path, false, reader -> {
            requireSensibleSize(path, reader.getWidth(0), reader.getHeight(0));
            return reader.read(0);
        });
    }

    /**
     * {width, height} from the file's header, nothing decoded (a directory of thousands of images is
     * measured in about the time it takes to list it).
     *
     * @throws UsageException naming the file when it is missing, not an image or damaged
     */
    static int[] dimensions(Path path) {
        InputFiles.requireReadableFile(path, "image");
        int[] png = pngDimensions(path);
        if (png != null) {
            return png;
        }
        return withReader(path, true, reader -> new int[] {reader.getWidth(0), reader.getHeight(0)});
    }

    /** What an image file's reader says, read {@code headerOnly} or not; bad data becomes one line naming the file. */
    private interface ReaderQuery<T> {
        T ask(ImageReader reader) throws IOException;
    }

    private static <T> T withReader(Path path, boolean headerOnly, ReaderQuery<T> query) {
        try (ImageInputStream in = new FileImageInputStream(path.toFile())) {
            ImageReader reader = readerFor(in).orElseThrow(() ->
                    InputFiles.cannotRead(path, "image", "not an image file (or a format featviz cannot read)"));
            try {
                reader.setInput(in, true, headerOnly);
                return query.ask(reader);
            } finally {
                reader.dispose();
            }
        } catch (UsageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Readers report bad data as IIOException and, often enough, as an unchecked exception.
            throw InputFiles.cannotRead(path, "image", "damaged or unsupported image data (" + InputFiles.describe(e) + ")");
        }
    }

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
        'I', 'H', 'D', 'R'};

    /**
     * A PNG's {width, height} straight from its IHDR chunk (the first 24 bytes), or null for anything else.
     * Finding an ImageIO reader costs about 0.2-0.7 ms a file (measured: 10,000 Fashion-MNIST PNGs in 2-7 s on
     * the shared machine), this a fraction of that, and datasets are mostly PNGs.
     */
    private static int[] pngDimensions(Path path) {
        byte[] head = new byte[24];
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(path)) {
            if (in.readNBytes(head, 0, head.length) < head.length) {
                return null;
            }
        } catch (IOException e) {
            return null; // ImageIO's path says what is wrong
        }
        if (!java.util.Arrays.equals(head, 0, PNG_SIGNATURE.length, PNG_SIGNATURE, 0, PNG_SIGNATURE.length)) {
            return null;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(head); // big-endian, as PNG
        int width = b.getInt(16);
        int height = b.getInt(20);
        return width > 0 && height > 0 ? new int[] {width, height} : null;
    }

    private static Optional<ImageReader> readerFor(ImageInputStream in) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        while (readers.hasNext()) {
            ImageReader reader = readers.next();
            // WBMP has no magic number: its reader accepts many non-image files and decodes them as noise.
            if (!"wbmp".equalsIgnoreCase(formatOf(reader))) {
                return Optional.of(reader);
            }
        }
        return Optional.empty();
    }

    private static String formatOf(ImageReader reader) {
        try {
            return reader.getFormatName();
        } catch (IOException e) {
            return "";
        }
    }

    private static void requireSensibleSize(Path path, int width, int height) {
        if ((long) width * height > MAX_PIXELS) {
            throw InputFiles.cannotRead(path, "image", "it is " + width + " x " + height
                    + " pixels, more than the " + MAX_PIXELS / 1_000_000 + " megapixels featviz reads");
        }
    }
}
