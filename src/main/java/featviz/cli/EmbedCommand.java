package featviz.cli;

import featviz.UsageException;
import featviz.analysis.Csv;
import featviz.analysis.Distances;
import featviz.analysis.ImageDirectory;
import featviz.analysis.ImageLoader;
import featviz.analysis.ImageStream;
import featviz.analysis.LayerActivations;
import featviz.analysis.Pca;
import featviz.analysis.Plots;
import featviz.analysis.Subsample;
import featviz.analysis.Tsne;
import featviz.io.AtomicFiles;
import featviz.model.VisionModel;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code featviz embed}: activation vectors of groups of images, their distances, and 2-D maps of them. */
@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare groups of images (and probe pictures) by their activation vectors at a layer.",
            "",
            "Each DIR is one group (a class, say), named after the directory; every image in it is resized to",
            "--size and run up to --layer in batches, and its vector is the per-channel spatial mean. Written to",
            "--output: distances.csv (mean L2 and cosine distance within each group, between groups, and from",
            "each probe to each group; also printed as a table), pca.csv and pca.png (the first two principal",
            "components), tsne.csv and tsne.png (a seeded, reproducible t-SNE map), each point coloured by group",
            "with the probes marked. With --vectors also vectors.csv. Files are written only after all is done.",
            "",
            "Files in a DIR that are not readable images are skipped with a warning each and counted in the",
            "summary, since datasets often hold a stray README or thumbnail file (--strict stops instead, exit 2,",
            "nothing written). Hidden files are ignored. Probes must be readable. Memory: one batch of images,",
            "plus C values per image; t-SNE is exact and maps at most --tsne-points images (a seeded sample",
            "keeping each group's share; the probes always), PCA and the distances use all of them.",
            "",
            "Examples:",
            "  featviz embed imagenet/sea_cucumber imagenet/coral --layer block5_conv4 --probe render.png",
            "  featviz embed fmnist/0 fmnist/1 fmnist/2 --model net.zip --size 28 --layer dense --output map",
            "",
            "Options:"})
public final class EmbedCommand implements Callable<Integer> {

    @Parameters(paramLabel = "DIR", arity = "1..*", description = "Directories of images, one group each.")
    List<Path> directories;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--layer", paramLabel = "NAME", required = true,
            description = "Layer whose per-channel means are the vectors (featviz layers lists them).")
    String layer;

    @Option(names = "--probe", paramLabel = "IMAGE", arity = "1..*",
            description = "Pictures to place among the groups (a rendered channel, say); must be readable. It takes " +
                "every name after it: put it after the DIRs, or repeat it (--probe a.png --probe b.png).")
    List<Path> probes = new ArrayList<>();

    @Option(names = "--size", paramLabel = "PX",
            description = "Image size fed to the model (default: the model's input size; 224 for file models).")
    Integer size;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = "embed",
            description = "Output directory, created if missing; files of the same names are replaced. Default: ${DEFAULT-VALUE}.")
    Path output;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "16",
            description = "Images per forward pass. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--perplexity", paramLabel = "X", defaultValue = "30",
            description = "t-SNE perplexity, about the number of neighbours each point keeps; at most (points - 1) / 3. " +
                "Default: ${DEFAULT-VALUE}.")
    double perplexity;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "1000",
            description = "t-SNE iterations. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(names = "--tsne-points", paramLabel = "N", defaultValue = "2000",
            description = "Most images t-SNE maps (exact t-SNE: time and memory grow with N^2; 2000 takes about " +
                "32 MB). Default: ${DEFAULT-VALUE}.")
    int tsnePoints;

    @Option(names = "--no-tsne", description = "Only PCA (and the distances).")
    boolean noTsne;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of the t-SNE start and sample: the same inputs and seed give the same map. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--plot-size", paramLabel = "WxH", defaultValue = "900x700",
            description = "Size of pca.png and tsne.png in pixels. Default: ${DEFAULT-VALUE}.")
    String plotSize;

    @Option(names = "--vectors", description = "Also write vectors.csv: group,image,probe, then one column per channel.")
    boolean vectors;

    @Option(names = "--strict", description = "Stop (exit 2, nothing written) at the first file in a DIR that is not a readable image.")
    boolean strict;

    @Option(names = "--json", description = "Print one JSON object on stdout: groups (name, images, skipped), probes, " +
        "distances, files written.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress or warnings on stderr.")
    boolean quiet;

    @Mixin
    DebugOption debugOption;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** One point of the maps: its group (or "probe"), its file. */
    private record Point(String group, String image, boolean probe) {
    }

    @Override
    public Integer call() {
        int[] wh = AnalysisOutput.plotSize("--plot-size", plotSize);
        if (batch < 1) {
            throw new UsageException("--batch must be at least 1, not " + batch);
        }
        if (tsnePoints < 4) {
            throw new UsageException("--tsne-points must be at least 4, not " + tsnePoints);
        }
        Tsne tsne = noTsne ? null : new Tsne(perplexity, iterations, seed);
        List<List<Path>> files = new ArrayList<>();
        List<String> groupNames = groupNames(directories);
        int fileCount = 0;
        for (Path dir : directories) {
            files.add(ImageDirectory.files(dir));
            fileCount += files.get(files.size() - 1).size();
        }
        requireFewerProbes(fileCount);
        if (tsne != null) {
            tsne.check(Math.min(fileCount, tsnePoints) + probes.size());
        }
        prepareOutput();
        PrintWriter err = spec.commandLine().getErr();
        VisionModel model = modelOptions.load(DownloadProgress.forTerminal(err, quiet));
        int px = AnalysisOutput.imageSize(size, model.inputShape()[1]);
        LayerActivations acts = new LayerActivations(model, layer, px);
        ImageLoader loader = new ImageLoader(px, px, model.inputShape()[0], strict, line -> {
            if (!quiet) {
                err.println("featviz: " + line);
                err.flush();
            }
        });
        List<INDArray> probeVectors = new ArrayList<>();
        for (Path p : probes) {
            probeVectors.add(acts.means(loader.readNamed(p)));
        }

        List<Distances.Group> groups = new ArrayList<>();
        List<Point> points = new ArrayList<>();
        int[] skippedPerGroup = new int[files.size()];
        var progress = ItemProgress.create(err, quiet, "embed", "images", fileCount);
        int before = 0;
        for (int g = 0; g < files.size(); g++) {
            List<INDArray> parts = new ArrayList<>();
            String name = groupNames.get(g);
            int offset = before;
            int skippedBefore = loader.skipped().size();
            ImageStream.forEachBatch(files.get(g), loader, batch, (read, images) -> {
                parts.add(acts.means(images));
                read.forEach(f -> points.add(new Point(name, f.toString(), false)));
            }, done -> progress.accept(offset + done));
            before += files.get(g).size();
            skippedPerGroup[g] = loader.skipped().size() - skippedBefore;
            if (parts.isEmpty()) {
                throw new UsageException("no readable images in " + directories.get(g) + " ("
                        + files.get(g).size() + " files skipped)");
            }
            groups.add(new Distances.Group(name, Nd4j.concat(0, parts.toArray(INDArray[]::new))));
        }
        int imageCount = points.size();
        requireFewerProbes(imageCount);
        List<Distances.Group> probeGroups = new ArrayList<>();
        for (int i = 0; i < probes.size(); i++) {
            probeGroups.add(new Distances.Group(probes.get(i).toString(), probeVectors.get(i)));
            points.add(new Point("probe", probes.get(i).toString(), true));
        }
        List<Distances.Row> distances = Distances.summary(groups, probeGroups);

        List<INDArray> all = new ArrayList<>();
        groups.forEach(g -> all.add(g.vectors()));
        probeGroups.forEach(p -> all.add(p.vectors()));
        INDArray vectorsAll = Nd4j.concat(0, all.toArray(INDArray[]::new));
        double[][] pca = Pca.project(vectorsAll, 2).toDoubleMatrix();

        List<Integer> mapped = null;
        double[][] map = null;
        if (tsne != null) {
            int[] sizes = groups.stream().mapToInt(g -> (int) g.size()).toArray();
            mapped = new ArrayList<>(Subsample.indices(sizes, tsnePoints, seed));
            for (int i = 0; i < probes.size(); i++) {
                mapped.add(imageCount + i);
            }
            tsne.check(mapped.size());
            INDArray chosen = vectorsAll.getRows(mapped.stream().mapToInt(Integer::intValue).toArray());
            map = tsne.fit(chosen, ItemProgress.create(err, quiet, "t-SNE", "iterations", iterations));
        }

        // Everything is computed: now the files, each written atomically.
        String title = model.name() + " " + acts.layer();
        List<String> written = new ArrayList<>();
        write(written, "distances.csv", distancesCsv(distances).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        List<Integer> everyone = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            everyone.add(i);
        }
        write(written, "pca.csv", coordinatesCsv(points, everyone, pca, "pc1", "pc2"));
        write(written, "pca.png", Plots.png(scatter(title + ": PCA of mean activations", "PC 1", "PC 2",
                points, everyone, pca, groupNames, wh)));
        if (map != null) {
            write(written, "tsne.csv", coordinatesCsv(points, mapped, map, "x", "y"));
            String note = mapped.size() - probes.size() < imageCount
                    ? String.format(Locale.ROOT, " (%d of %d images)", mapped.size() - probes.size(), imageCount) : "";
            write(written, "tsne.png", Plots.png(scatter(title + ": t-SNE, perplexity " + Csv.number(perplexity).replaceFirst("\\.0$", "") + note, "t-SNE 1",
                    "t-SNE 2", points, mapped, map, groupNames, wh)));
        }
        if (vectors) {
            write(written, "vectors.csv", vectorsCsv(points, vectorsAll));
        }

        report(groups, groupNames, skippedPerGroup, loader.skipped().size(), distances, written, err);
        return 0;
    }

    private void requireFewerProbes(int images) {
        if (probes.size() > images) {
            throw new UsageException(probes.size() + " probes but only " + images + " images in the groups: a probe is "
                    + "compared with groups of images, so give fewer probes than images");
        }
    }

    /** Directory names; the whole path where two directories have the same name. */
    private static List<String> groupNames(List<Path> dirs) {
        List<String> names = new ArrayList<>();
        for (Path d : dirs) {
            Path leaf = d.toAbsolutePath().normalize().getFileName();
            names.add(leaf == null ? d.toString() : leaf.toString());
        }
        for (int i = 0; i < names.size(); i++) {
            if (java.util.Collections.frequency(names, names.get(i)) > 1) {
                List<String> full = new ArrayList<>();
                dirs.forEach(d -> full.add(d.toString()));
                return full;
            }
        }
        return names;
    }

    /** Checks the output directory could be made and written, without making it (nothing is written before the end). */
    private void prepareOutput() {
        AnalysisOutput.requireWritableDirectory(output);
    }

    private void write(List<String> written, String name, byte[] content) {
        Path file = output.resolve(name);
        AnalysisOutput.createDirectory(output);
        AtomicFiles.write(file, content);
        written.add(file.toString());
    }

    private static String distancesCsv(List<Distances.Row> rows) {
        StringBuilder sb = new StringBuilder("kind,from,to,pairs,mean_l2,mean_cosine\n");
        for (Distances.Row r : rows) {
            sb.append(r.kind()).append(',').append(Csv.field(r.from())).append(',').append(Csv.field(r.to())).append(',')
                    .append(r.pairs()).append(',').append(Csv.number(r.meanL2())).append(',')
                    .append(Csv.number(r.meanCosine())).append('\n');
        }
        return sb.toString();
    }

    private static byte[] coordinatesCsv(List<Point> points, List<Integer> rows, double[][] xy, String xName, String yName) {
        StringBuilder sb = new StringBuilder("group,image,probe," + xName + "," + yName + "\n");
        for (int k = 0; k < rows.size(); k++) {
            Point p = points.get(rows.get(k));
            sb.append(Csv.field(p.group())).append(',').append(Csv.field(p.image())).append(',').append(p.probe())
                    .append(',').append(xy[k][0]).append(',').append(xy[k][1]).append('\n');
        }
        return sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] vectorsCsv(List<Point> points, INDArray vectors) {
        StringBuilder sb = new StringBuilder("group,image,probe");
        for (long c = 0; c < vectors.size(1); c++) {
            sb.append(',').append(c);
        }
        sb.append('\n');
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            sb.append(Csv.field(p.group())).append(',').append(Csv.field(p.image())).append(',').append(p.probe());
            for (double v : vectors.getRow(i).toDoubleVector()) {
                sb.append(',').append(Csv.number(v));
            }
            sb.append('\n');
        }
        return sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** rows[k] is the point of xy[k]. */
    private static org.knowm.xchart.XYChart scatter(String title, String xTitle, String yTitle, List<Point> points,
                                                    List<Integer> rows, double[][] xy, List<String> groupNames, int[] wh) {
        List<Plots.PointSet> groups = new ArrayList<>();
        for (String g : groupNames) {
            List<double[]> pts = new ArrayList<>();
            for (int k = 0; k < rows.size(); k++) {
                Point p = points.get(rows.get(k));
                if (!p.probe() && p.group().equals(g)) {
                    pts.add(xy[k]);
                }
            }
            groups.add(new Plots.PointSet(g, pts.stream().mapToDouble(a -> a[0]).toArray(),
                    pts.stream().mapToDouble(a -> a[1]).toArray()));
        }
        List<Plots.PointSet> probeSets = new ArrayList<>();
        for (int k = 0; k < rows.size(); k++) {
            Point p = points.get(rows.get(k));
            if (p.probe()) {
                String name = Path.of(p.image()).getFileName().toString();
                probeSets.add(new Plots.PointSet(name, new double[] {xy[k][0]}, new double[] {xy[k][1]}));
            }
        }
        return Plots.scatter(title, xTitle, yTitle, groups, probeSets, wh[0], wh[1]);
    }

    private void report(List<Distances.Group> groups, List<String> names, int[] skipped, int skippedTotal,
                        List<Distances.Row> distances, List<String> written, PrintWriter err) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            List<Map<String, Object>> gs = new ArrayList<>();
            for (int g = 0; g < groups.size(); g++) {
                gs.add(Map.of("name", names.get(g), "images", groups.get(g).size(), "skipped", skipped[g]));
            }
            o.put("groups", gs);
            o.put("probes", probes.stream().map(Path::toString).toList());
            o.put("skipped", skippedTotal);
            List<Map<String, Object>> ds = new ArrayList<>();
            for (Distances.Row r : distances) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("kind", r.kind());
                d.put("from", r.from());
                d.put("to", r.to());
                d.put("pairs", r.pairs());
                d.put("mean_l2", Double.isNaN(r.meanL2()) ? null : r.meanL2());
                d.put("mean_cosine", Double.isNaN(r.meanCosine()) ? null : r.meanCosine());
                ds.add(d);
            }
            o.put("distances", ds);
            o.put("files", written);
            out.println(Json.write(o));
        } else {
            int w = Math.max(6, distances.stream().mapToInt(r -> Math.max(r.from().length(), r.to().length())).max().orElse(6));
            String format = "%-7s  %-" + w + "s  %-" + w + "s  %10s  %12s  %12s%n";
            out.printf(format, "kind", "from", "to", "pairs", "mean L2", "mean cosine");
            for (Distances.Row r : distances) {
                out.printf(format, r.kind(), r.from(), r.to(), r.pairs(), number(r.meanL2()), number(r.meanCosine()));
            }
        }
        out.flush();
        if (!quiet) {
            long images = groups.stream().mapToLong(Distances.Group::size).sum();
            err.println("featviz: " + images + " images in " + groups.size() + " groups" + (skippedTotal > 0
                    ? ", " + skippedTotal + " unreadable files skipped" : "") + "; wrote " + String.join(", ", written));
            err.flush();
        }
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4g", v);
    }
}
