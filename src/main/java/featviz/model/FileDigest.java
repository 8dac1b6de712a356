package featviz.model;

import featviz.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.Adler32;

/**
 * A model file's two checksums, read in one pass: SHA-256 names a user's file in provenance, Adler32 is
 * what DL4J's zoo catalogue records, so it tells a copy of a zoo file under any name.
 */
record FileDigest(String sha256, long adler32) {

    /**
     * The Adler32 alone, all a zoo file's identity needs (SHA-256 over a 574 MB download costs seconds). One
     * loop for the weight store's cache check and for {@code --weights PATH}.
     */
    static long adler32(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            Adler32 adler = new Adler32();
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                adler.update(buf, 0, n);
            }
            return adler.getValue();
        }
    }

    /** {@link #adler32(Path)} with a one-line error for a file the user named. */
    static long adler32Of(Path path) {
        try {
            return adler32(path);
        } catch (IOException e) {
            throw new UsageException("cannot read " + path + ": " + ModelLoader.firstLine(e));
        }
    }

    static FileDigest of(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            Adler32 adler = new Adler32();
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
                adler.update(buf, 0, n);
            }
            return new FileDigest(HexFormat.of().formatHex(sha.digest()), adler.getValue());
        } catch (IOException e) {
            throw new UsageException("cannot read model " + path + ": " + ModelLoader.firstLine(e));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
