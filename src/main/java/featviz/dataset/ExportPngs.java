package featviz.dataset;

import featviz.UsageException;
import featviz.io.ImageFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Writes the first N Fashion-MNIST test images of each class as grey PNGs into one folder per class
 * ({@code DIR/ankle_boot/0.png}, ...): real images in the form featviz's analysis commands take (a folder a
 * group), for the README's worked example.
 *
 * <pre>java -cp 'target/featviz.jar:target/lib/*' featviz.dataset.ExportPngs DIR [N]</pre>
 */
public final class ExportPngs {
    private ExportPngs() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: ExportPngs DIR [N per class, default 100]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int perClass = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        LabeledImages test;
        try {
            test = FashionMnist.locate().test();
        } catch (UsageException e) {
            System.err.println("ExportPngs: " + e.getMessage());
            System.exit(2);
            return;
        }
        int[] written = new int[FashionMnist.LABELS.size()];
        for (int i = 0; i < test.size(); i++) {
            int label = test.label(i);
            if (written[label] >= perClass) {
                continue;
            }
            Path folder = Files.createDirectories(dir.resolve(folderName(label)));
            ImageIO.write(ImageFiles.toImage(test.batch(i, i + 1, DataType.FLOAT)), "png", folder.resolve(i + ".png").toFile());
            written[label]++;
        }
        System.out.println("wrote " + java.util.Arrays.stream(written).sum() + " test images into " + dir);
    }

    /** The label as the embedded model's catalogue writes it: snake_case ({@code t_shirt_top}). */
    static String folderName(int label) {
        return FashionMnist.LABELS.get(label).replaceAll("[^a-z]+", "_");
    }
}
