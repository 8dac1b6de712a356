package featviz.cli;

import featviz.UsageException;
import featviz.analysis.Distances;
import featviz.analysis.Embedding;
import featviz.analysis.EmbeddingFiles;
import featviz.analysis.ImageDirectory;
import featviz.analysis.ImageLoader;
import featviz.analysis.LayerActivations;
import featviz.analysis.Tsne;
import featviz.io.AtomicFiles;
import featviz.model.VisionModel;
import java.io.PrintWriter;
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
            description = "Image size fed to the model (default: the model's input size; for a model that takes any " +
                "size, the images' own size when they all share one).")
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
        Embedding.requireFewerProbes(probes.size(), fileCount);
        if (tsne != null) {
            tsne.check(Math.min(fileCount, tsnePoints) + probes.size());
        }
        AnalysisOutput.requireWritableDirectory(output); // without making it: nothing is written before the end
        PrintWriter err = spec.commandLine().getErr();
        VisionModel model = modelOptions.load(DownloadProgress.forTerminal(err, quiet));
        List<Path> all = new ArrayList<>(probes);
        files.forEach(all::addAll);
        int px = AnalysisOutput.imageSize(ImageSize.forImages(size, model, all));
        LayerActivations acts = new LayerActivations(model, layer, px);
        ImageLoader loader = new ImageLoader(px, px, model.inputShape()[0], strict, line -> {
            if (!quiet) {
                err.println("featviz: " + line);
                err.flush();
            }
        });
        Embedding.TsneSettings map = tsne == null ? null : new Embedding.TsneSettings(tsne, tsnePoints, seed,
                ItemProgress.create(err, quiet, "t-SNE", "iterations", iterations));
        Embedding embedding = Embedding.compute(acts, loader, batch, groupNames, directories, files, probes, map,
                ItemProgress.create(err, quiet, "embed", "images", fileCount));

        // Everything is computed: now the files, each written atomically.
        List<String> written = new ArrayList<>();
        Map<String, byte[]> contents = EmbeddingFiles.of(embedding, model.name() + " " + acts.layer(), groupNames,
                perplexity, vectors, wh[0], wh[1]);
        AnalysisOutput.createDirectory(output);
        contents.forEach((name, bytes) -> {
            Path file = output.resolve(name);
            AtomicFiles.write(file, bytes);
            written.add(file.toString());
        });
        report(embedding.groups(), groupNames, embedding.skipped(), loader.skipped().size(), embedding.distances(),
                written, err);
        return 0;
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
