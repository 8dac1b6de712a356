package featviz.compare;

import featviz.UsageException;
import featviz.io.PngWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares the pairs {@link ImagePairs} finds, against a {@link Tolerance}, and optionally writes a
 * {@link DiffImage} for each pair whose pixels differ (whether or not within tolerance) to
 * {@code <diffDir>/<name without .png>-diff.png}, atomically, with PNG text chunks saying what it shows.
 */
public final class Comparer {
    private final Tolerance tolerance;
    private final Path diffDirectory;
    private final String software;

    /**
     * @param diffDirectory where difference images go (created when the first is written), or null for none
     * @param software the PNG "Software" text of difference images, e.g. "featviz 0.1.0"
     */
    public Comparer(Tolerance tolerance, Path diffDirectory, String software) {
        this.tolerance = tolerance;
        this.diffDirectory = diffDirectory;
        this.software = software;
    }

    public List<FileResult> compare(List<ImagePairs.Pair> pairs) {
        List<FileResult> results = new ArrayList<>();
        for (ImagePairs.Pair pair : pairs) {
            results.add(compare(pair));
        }
        return results;
    }

    public FileResult compare(ImagePairs.Pair pair) {
        if (pair.missing()) {
            return new FileResult(pair.name(), pair.a(), null, FileResult.Status.MISSING, null, null,
                    List.of("missing: in A (the reference) but not in B"), null);
        }
        if (pair.extra()) {
            return new FileResult(pair.name(), null, pair.b(), FileResult.Status.EXTRA, null, null,
                    List.of("extra: in B but not in A (the reference)"), null);
        }
        RgbImage a;
        RgbImage b;
        try {
            a = RgbImage.read(pair.a());
            b = RgbImage.read(pair.b());
        } catch (UsageException e) {
            return new FileResult(pair.name(), pair.a(), pair.b(), FileResult.Status.ERROR, null, null,
                    List.of(e.getMessage()), null);
        }
        Boolean sameBytes = sameBytes(pair.a(), pair.b());
        if (!a.sameSize(b)) {
            return new FileResult(pair.name(), pair.a(), pair.b(), FileResult.Status.FAIL, null, sameBytes,
                    List.of("sizes differ: A is " + a.sizeText() + ", B is " + b.sizeText()), null);
        }
        ImageMetrics metrics = ImageMetrics.of(a, b);
        List<String> violations = tolerance.violations(metrics);
        Path diff = null;
        if (diffDirectory != null && !metrics.identical()) {
            diff = writeDiff(pair, a, b, metrics);
        }
        return new FileResult(pair.name(), pair.a(), pair.b(),
                violations.isEmpty() ? FileResult.Status.PASS : FileResult.Status.FAIL, metrics, sameBytes,
                List.copyOf(violations), diff);
    }

    /** Where the difference image of the file named {@code name} goes. */
    public static Path diffPath(Path diffDirectory, String name) {
        String stem = name.toLowerCase(Locale.ROOT).endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        return diffDirectory.resolve(stem + "-diff.png");
    }

    private Path writeDiff(ImagePairs.Pair pair, RgbImage a, RgbImage b, ImageMetrics metrics) {
        Path target = diffPath(diffDirectory, pair.name());
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UsageException("cannot create --diff directory " + target.getParent() + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
        Map<String, String> text = new LinkedHashMap<>();
        text.put("Software", software);
        text.put("featviz:diff-a", pair.a().toString());
        text.put("featviz:diff-b", pair.b().toString());
        text.put("featviz:diff-max", String.valueOf(metrics.maxAbsDiff()));
        text.put("featviz:diff-amplification", String.format(Locale.ROOT, "%.4f",
                DiffImage.amplification(metrics.maxAbsDiff())));
        text.put("featviz:diff-shows", "|A - B| per channel times the amplification; black = identical");
        PngWriter.write(DiffImage.of(a, b).toBufferedImage(), target, text);
        return target;
    }

    private static Boolean sameBytes(Path a, Path b) {
        try {
            return Files.mismatch(a, b) == -1;
        } catch (IOException e) {
            return null;
        }
    }
}
