package featviz.dataset;

import featviz.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Zalando Research, MIT licence) as Debian's {@code dataset-fashion-mnist} installs it: four
 * gzipped IDX files in one folder. The folder is {@code FEATVIZ_FASHION_MNIST} (environment), else the Java
 * property {@code featviz.fashionMnist}, else the Debian path.
 */
public final class FashionMnist {
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final String PACKAGE = "dataset-fashion-mnist";
    /** Class names in label order, as the dataset's README gives them. */
    public static final List<String> LABELS = List.of("t-shirt/top", "trouser", "pullover", "dress", "coat",
            "sandal", "shirt", "sneaker", "bag", "ankle boot");

    private final Path dir;

    public FashionMnist(Path dir) {
        this.dir = dir;
    }

    /** The folder from the environment, the property or the Debian default. */
    public static FashionMnist locate() {
        String env = System.getenv("FEATVIZ_FASHION_MNIST");
        String prop = System.getProperty("featviz.fashionMnist");
        return new FashionMnist(env != null && !env.isBlank() ? Path.of(env)
                : prop != null && !prop.isBlank() ? Path.of(prop) : DEBIAN_DIR);
    }

    public Path dir() {
        return dir;
    }

    /** True when all four files are there (tests skip themselves otherwise). */
    public boolean available() {
        return List.of("train", "t10k").stream().allMatch(p -> Files.isRegularFile(file(p, "images-idx3"))
                && Files.isRegularFile(file(p, "labels-idx1")));
    }

    /** The 60,000 training images. */
    public LabeledImages train() {
        return split("train");
    }

    /** The 10,000 test images. */
    public LabeledImages test() {
        return split("t10k");
    }

    private LabeledImages split(String prefix) {
        Path images = file(prefix, "images-idx3");
        Path labels = file(prefix, "labels-idx1");
        for (Path p : List.of(images, labels)) {
            if (!Files.isRegularFile(p)) {
                throw new UsageException("Fashion-MNIST not found: " + p + " is missing; install it with `apt-get install "
                        + PACKAGE + "` or set FEATVIZ_FASHION_MNIST to the folder holding its IDX files");
            }
        }
        try {
            return LabeledImages.of(Idx.read(images), Idx.read(labels));
        } catch (IOException e) {
            throw new UsageException("cannot read Fashion-MNIST in " + dir + ": " + e.getMessage());
        }
    }

    private Path file(String prefix, String kind) {
        Path gz = dir.resolve(prefix + "-" + kind + "-ubyte.gz");
        Path plain = dir.resolve(prefix + "-" + kind + "-ubyte");
        return Files.exists(gz) || !Files.exists(plain) ? gz : plain;
    }
}
