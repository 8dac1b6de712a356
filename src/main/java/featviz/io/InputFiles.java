package featviz.io;

import featviz.UsageException;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks that a path the user named is a file we can open, so the failure names the real cause. */
final class InputFiles {
    private InputFiles() {
    }

    /**
     * @param what what the file is for, as the message should name it: "image", "PNG file"
     * @throws UsageException when the path is missing, a directory or not readable
     */
    static void requireReadableFile(Path path, String what) {
        if (!Files.exists(path)) {
            throw cannotRead(path, what, "no such file");
        }
        if (Files.isDirectory(path)) {
            throw cannotRead(path, what, "it is a directory, not a file");
        }
        if (!Files.isReadable(path)) {
            throw cannotRead(path, what, "permission denied");
        }
    }

    static UsageException cannotRead(Path path, String what, String reason) {
        return new UsageException("cannot read " + what + " " + path + ": " + reason);
    }

    /** The first line of an exception's message, for one-line error messages. */
    static String describe(Throwable error) {
        String message = error.getMessage();
        if (message == null || message.isBlank()) {
            return error.getClass().getSimpleName();
        }
        return message.strip().lines().findFirst().orElse("").strip();
    }
}
