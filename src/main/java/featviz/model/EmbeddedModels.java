package featviz.model;

import featviz.RunFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.Adler32;
import java.util.zip.CheckedOutputStream;

/**
 * Model zips shipped inside featviz's jar. Loading reads a zip entry by entry from a file, so each one is
 * copied once per process to a temporary file (a few MB, milliseconds), checked against its catalogue
 * checksum on the way, and deleted when the process ends.
 */
final class EmbeddedModels {
    private static final Map<String, Path> copies = new HashMap<>();

    private EmbeddedModels() {
    }

    static synchronized Path file(ZooModel zoo) {
        ZooModel.Embedded e = zoo.embedded();
        Path copy = copies.get(e.resource());
        if (copy != null && Files.isRegularFile(copy)) {
            return copy;
        }
        String resource = "/featviz/models/" + e.resource();
        try (InputStream in = EmbeddedModels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new RunFailure(zoo.name() + "'s weights (" + resource + ") are missing from this build of featviz");
            }
            copy = Files.createTempFile("featviz-" + zoo.name() + "-", ".zip");
            copy.toFile().deleteOnExit();
            Adler32 sum = new Adler32();
            try (OutputStream out = new CheckedOutputStream(Files.newOutputStream(copy), sum)) {
                in.transferTo(out);
            }
            if (sum.getValue() != e.adler32()) {
                throw new RunFailure(zoo.name() + "'s embedded weights have Adler32 " + sum.getValue() + ", not the catalogue's "
                        + e.adler32() + ": this build of featviz is damaged");
            }
            copies.put(e.resource(), copy);
            return copy;
        } catch (IOException ex) {
            throw new RunFailure("cannot unpack " + zoo.name() + "'s embedded weights: " + ModelLoader.firstLine(ex));
        }
    }
}
