package featviz.cli;

import featviz.UsageException;
import featviz.compare.Comparer;
import featviz.compare.FileResult;
import featviz.compare.ImageMetrics;
import featviz.compare.ImagePairs;
import featviz.compare.Tolerance;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code featviz compare}: are the new images the reference images, within a tolerance? */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare images or directories of PNGs: max difference, PSNR, SSIM; exit 1 on drift.",
            "",
            "Compares two images, or two directories of PNGs (A the reference, B the new ones,",
            "matched by relative path; hidden files skipped), pixel by pixel on 8-bit sRGB levels.",
            "A file missing from B or extra in B fails. Images of different sizes fail.",
            "",
            "Metrics: max diff = largest |A-B| of any channel (0-255); PSNR in dB over all channels",
            "(inf when identical); SSIM (Wang et al. 2004: 11x11 Gaussian window, sigma 1.5,",
            "K1 0.01, K2 0.03, L 255, per RGB channel and averaged; 1 when identical).",
            "",
            "Tolerance: with no option below, pixels must be identical (--max-diff 0). Otherwise every",
            "bound given must hold, and only those.",
            "",
            "Exit codes: 0 all within tolerance; 1 some are not, or files are missing or extra;",
            "2 bad usage or input (a path that does not exist, a file against a directory, an",
            "unreadable image).",
            "",
            "Examples:",
            "  featviz compare reference.png new.png",
            "  featviz compare reference-images/ out/ --diff diffs/",
            "  featviz compare reference-images/ out/ --max-diff 2 --min-ssim 0.999 --json",
            "",
            "Options:"})
public final class CompareCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "A", description = "The reference: a PNG (any image) or a directory.")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "The new image, or directory, compared with A.")
    Path b;

    @Option(names = "--max-diff", paramLabel = "N",
            description = "Largest allowed |A-B| of any channel of any pixel, 0-255 (default 0 when no bound is given).")
    Integer maxDiff;

    @Option(names = "--min-psnr", paramLabel = "DB", description = "Smallest allowed PSNR in dB (e.g. 40).")
    Double minPsnr;

    @Option(names = "--min-ssim", paramLabel = "X", description = "Smallest allowed SSIM, -1 to 1 (e.g. 0.99).")
    Double minSsim;

    @Option(names = "--diff", paramLabel = "DIR",
            description = "Write a difference image for every pair whose pixels differ, within tolerance or not: " +
                "DIR/<name>-diff.png, |A-B| per channel amplified so the largest difference is white " +
                "(black = identical). DIR is created if needed.")
    Path diffDirectory;

    @Option(names = "--json", description = "Print one JSON object: a, b, mode, tolerance, files (per file: status, " +
        "pass, metrics, same_bytes, reasons, diff) and summary. psnr is the string \"inf\" when identical.")
    boolean json;

    @Mixin
    DebugOption debugOption;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Tolerance tolerance = tolerance();
        boolean directories = ImagePairs.directories(a, b);
        checkDiffDirectory(directories);
        List<ImagePairs.Pair> pairs = ImagePairs.of(a, b, diffDirectory);
        if (pairs.isEmpty()) {
            throw new UsageException("nothing to compare: no *.png files in " + a + " or in " + b);
        }
        Comparer comparer = new Comparer(tolerance, diffDirectory, "featviz " + Version.get());
        List<FileResult> results = comparer.compare(pairs);
        if (!directories && results.get(0).status() == FileResult.Status.ERROR) {
            throw new UsageException(results.get(0).reasonText()); // two files: the error is the whole story
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(jsonReport(directories, tolerance, results)));
        } else {
            printTable(out, tolerance, results);
        }
        out.flush();
        List<FileResult> errors = results.stream().filter(r -> r.status() == FileResult.Status.ERROR).toList();
        if (!errors.isEmpty()) {
            String more = errors.size() == 1 ? "" : " (and " + (errors.size() - 1) + " more unreadable files)";
            throw new UsageException(errors.get(0).reasonText() + more);
        }
        return results.stream().allMatch(FileResult::passed) ? 0 : 1;
    }

    private Tolerance tolerance() {
        if (maxDiff != null && (maxDiff < 0 || maxDiff > 255)) {
            throw new UsageException("--max-diff must be between 0 and 255, not " + maxDiff);
        }
        if (minPsnr != null && (minPsnr.isNaN() || minPsnr < 0)) {
            throw new UsageException("--min-psnr must be a number of dB, 0 or more, not " + minPsnr);
        }
        if (minSsim != null && !(minSsim >= -1 && minSsim <= 1)) {
            throw new UsageException("--min-ssim must be between -1 and 1, not " + minSsim);
        }
        if (maxDiff == null && minPsnr == null && minSsim == null) {
            return Tolerance.EXACT;
        }
        return new Tolerance(maxDiff, minPsnr, minSsim);
    }

    private void checkDiffDirectory(boolean directories) {
        if (diffDirectory == null) {
            return;
        }
        if (Files.exists(diffDirectory) && !Files.isDirectory(diffDirectory)) {
            throw new UsageException("--diff " + diffDirectory + ": it is a file, not a directory");
        }
        if (directories) {
            Path d = diffDirectory.toAbsolutePath().normalize();
            for (Path root : List.of(a, b)) {
                if (root.toAbsolutePath().normalize().startsWith(d)) {
                    throw new UsageException("--diff " + diffDirectory + " must not be " + root
                            + " or contain it: choose a directory of its own");
                }
            }
        }
    }

    private static void printTable(PrintWriter out, Tolerance tolerance, List<FileResult> results) {
        int width = Math.max(4, results.stream().mapToInt(r -> r.name().length()).max().orElse(4));
        String format = "%-" + width + "s  %-7s  %8s  %8s  %8s  %s%n";
        out.println(String.format(Locale.ROOT, format, "file", "result", "max diff", "psnr", "ssim", "note").stripTrailing());
        for (FileResult r : results) {
            ImageMetrics m = r.metrics();
            out.println(String.format(Locale.ROOT, format, r.name(), label(r.status()),
                    m == null ? "-" : String.valueOf(m.maxAbsDiff()),
                    m == null ? "-" : Tolerance.formatPsnr(m.psnr()),
                    m == null ? "-" : Tolerance.formatSsim(m.ssim()),
                    note(r)).stripTrailing());
        }
        out.println(summaryLine(tolerance, results));
    }

    private static String label(FileResult.Status status) {
        return switch (status) {
            case PASS -> "ok";
            case FAIL -> "FAIL";
            case MISSING -> "MISSING";
            case EXTRA -> "EXTRA";
            case ERROR -> "ERROR";
        };
    }

    private static String note(FileResult r) {
        List<String> parts = new ArrayList<>(r.reasons());
        if (r.passed() && r.metrics() != null && r.metrics().identical() && Boolean.FALSE.equals(r.sameBytes())) {
            parts.add("pixels identical, file bytes differ (text chunks or encoding)");
        }
        if (r.diff() != null) {
            parts.add("diff: " + r.diff());
        }
        return String.join("; ", parts);
    }

    private static String summaryLine(Tolerance tolerance, List<FileResult> results) {
        Map<FileResult.Status, Long> counts = counts(results);
        long passed = counts.get(FileResult.Status.PASS);
        String verdict = passed == results.size() ? "ok" : "FAIL";
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s: %d of %d %s within tolerance (%s)",
                verdict, passed, results.size(), results.size() == 1 ? "file" : "files", tolerance.describe()));
        List<String> problems = new ArrayList<>();
        addCount(problems, counts.get(FileResult.Status.FAIL), "differ");
        addCount(problems, counts.get(FileResult.Status.MISSING), "missing");
        addCount(problems, counts.get(FileResult.Status.EXTRA), "extra");
        addCount(problems, counts.get(FileResult.Status.ERROR), "unreadable");
        if (!problems.isEmpty()) {
            line.append("; ").append(String.join(", ", problems));
        }
        return line.toString();
    }

    private static void addCount(List<String> problems, long count, String what) {
        if (count > 0) {
            problems.add(count + " " + what);
        }
    }

    private static Map<FileResult.Status, Long> counts(List<FileResult> results) {
        Map<FileResult.Status, Long> counts = new LinkedHashMap<>();
        for (FileResult.Status s : FileResult.Status.values()) {
            counts.put(s, 0L);
        }
        for (FileResult r : results) {
            counts.merge(r.status(), 1L, Long::sum);
        }
        return counts;
    }

    private Map<String, Object> jsonReport(boolean directories, Tolerance tolerance, List<FileResult> results) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("a", a.toString());
        report.put("b", b.toString());
        report.put("mode", directories ? "directories" : "files");
        Map<String, Object> bounds = new LinkedHashMap<>();
        bounds.put("max_diff", tolerance.maxDiff());
        bounds.put("min_psnr", tolerance.minPsnr());
        bounds.put("min_ssim", tolerance.minSsim());
        report.put("tolerance", bounds);
        List<Map<String, Object>> files = new ArrayList<>();
        for (FileResult r : results) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("file", r.name());
            f.put("a", r.a() == null ? null : r.a().toString());
            f.put("b", r.b() == null ? null : r.b().toString());
            f.put("status", r.status().name().toLowerCase(Locale.ROOT));
            f.put("pass", r.passed());
            ImageMetrics m = r.metrics();
            if (m != null) {
                f.put("width", m.width());
                f.put("height", m.height());
                f.put("max_diff", m.maxAbsDiff());
                f.put("mean_abs_diff", m.meanAbsDiff());
                f.put("differing_pixels", m.differingPixels());
                f.put("psnr", Double.isInfinite(m.psnr()) ? "inf" : m.psnr());
                f.put("ssim", m.ssim());
            }
            f.put("same_bytes", r.sameBytes());
            f.put("reasons", r.reasons());
            f.put("diff", r.diff() == null ? null : r.diff().toString());
            files.add(f);
        }
        report.put("files", files);
        Map<FileResult.Status, Long> counts = counts(results);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("files", results.size());
        summary.put("passed", counts.get(FileResult.Status.PASS));
        summary.put("failed", counts.get(FileResult.Status.FAIL));
        summary.put("missing", counts.get(FileResult.Status.MISSING));
        summary.put("extra", counts.get(FileResult.Status.EXTRA));
        summary.put("errors", counts.get(FileResult.Status.ERROR));
        summary.put("pass", counts.get(FileResult.Status.PASS) == results.size());
        report.put("summary", summary);
        return report;
    }
}
