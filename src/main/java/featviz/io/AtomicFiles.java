package featviz.io;

import featviz.RunFailure;
import featviz.UsageException;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers see either the old file or the complete new one, never a partial
 * write: the content goes to a hidden temporary file in the same directory ({@code .name.tmp-<random>}),
 * is forced to disk, then renamed over the target. A failed write leaves no temporary file behind.
 */
public final class AtomicFiles {
    /**
     * Produces the file's content. The writer may close the stream (a try-with-resources around a Writer,
     * say): that only flushes, since {@link AtomicFiles} still has to force the file to disk.
     */
    @FunctionalInterface
    public interface ContentWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    private static final int NAME_ATTEMPTS = 16;

    private AtomicFiles() {
    }

    /** @see #write(Path, ContentWriter) */
    public static void write(Path target, byte[] content) {
        write(target, out -> out.write(content));
    }

    /**
     * Replaces {@code target} with what {@code content} writes, atomically where the file system can.
     *
     * @throws UsageException when the directory does not exist or is not writable, or the target is a directory
     * @throws RunFailure when writing fails otherwise (disk full, I/O error)
     * @throws RuntimeException whatever {@code content} throws unchecked, unchanged
     */
    public static void write(Path target, ContentWriter content) {
        Path directory = requireWritableDirectory(target);
        Path temporary = createTemporary(target, directory);
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                OutputStream out = new FlushOnClose(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
                content.writeTo(out);
                out.flush();
                // Without this a crash soon after the rename can leave an empty file under the new name.
                channel.force(true);
            }
            moveIntoPlace(temporary, target);
            moved = true;
            syncDirectory(directory);
        } catch (IOException e) {
            throw new RunFailure("cannot write " + target + ": " + reason(e), e);
        } finally {
            if (!moved) {
                deleteQuietly(temporary);
            }
        }
    }

    /** The target's directory, after checking the things a user can get wrong before anything is written. */
    public static Path requireWritableDirectory(Path target) {
        if (Files.isDirectory(target)) {
            throw new UsageException("cannot write " + target + ": it is a directory");
        }
        Path directory = target.toAbsolutePath().getParent();
        Path shown = target.getParent() != null ? target.getParent() : directory;
        if (!Files.exists(directory)) {
            throw new UsageException("cannot write " + target + ": directory " + shown + " does not exist");
        }
        if (!Files.isDirectory(directory)) {
            throw new UsageException("cannot write " + target + ": " + shown + " is not a directory");
        }
        if (!Files.isWritable(directory)) {
            throw new UsageException("cannot write " + target + ": directory " + shown + " is not writable");
        }
        return directory;
    }

    /**
     * Created with CREATE_NEW rather than Files.createTempFile, which makes files readable by their
     * owner only: the renamed result would then lack the usual permissions.
     */
    private static Path createTemporary(Path target, Path directory) {
        String prefix = "." + target.getFileName() + ".tmp-";
        for (int attempt = 0; ; attempt++) {
            Path candidate = directory.resolve(prefix + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException e) {
                if (attempt + 1 == NAME_ATTEMPTS) {
                    throw new RunFailure("cannot write " + target + ": no free temporary file name in " + directory, e);
                }
            } catch (AccessDeniedException e) {
                throw new UsageException("cannot write " + target + ": directory " + directory + " is not writable", e);
            } catch (NoSuchFileException e) {
                throw new UsageException("cannot write " + target + ": directory " + directory + " does not exist", e);
            } catch (IOException e) {
                throw new RunFailure("cannot write " + target + ": " + reason(e), e);
            }
        }
    }

    private static void moveIntoPlace(Path temporary, Path target) throws IOException {
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes the rename itself durable where directories can be opened and forced (Linux, macOS). */
    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not possible on this platform (Windows): the file itself is on disk already.
        }
    }

    private static void deleteQuietly(Path temporary) {
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            // The write has failed already and that is the error worth reporting.
        }
    }

    /** Keeps the channel open when the content writer closes its stream. */
    private static final class FlushOnClose extends FilterOutputStream {
        FlushOnClose(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    private static String reason(IOException e) {
        if (e instanceof FileSystemException fileSystemError && fileSystemError.getReason() != null) {
            return fileSystemError.getReason();
        }
        return InputFiles.describe(e);
    }

    /**
     * Deletes the temporary files that writes killed mid-way (SIGKILL, power loss) left in {@code dir} and
     * its sub-directories, down to {@code depth}. Only for a directory this process alone writes to.
     */
    public static void removeLeftovers(Path dir, int depth) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir, depth)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && name.matches("\\..+\\.tmp-[0-9a-f]+") && Files.isRegularFile(p)) {
                    deleteQuietly(p);
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // Leftovers are hidden and harmless; failing to tidy them is no reason to stop.
        }
    }
}
