package featviz.analysis;

import featviz.UsageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Groups of images (and probe pictures) as activation vectors at one layer, with what {@code featviz embed}
 * shows of them: distances within and between groups and from each probe, a PCA projection of all vectors, and
 * a t-SNE map of a seeded sample of them.
 *
 * @param points every vector's image, groups first (in file order), then the probes
 * @param groups the groups' vectors, one row per readable image
 * @param skipped per group, the files that were not readable images
 * @param vectors all vectors, rows in the order of {@code points}
 * @param pca the first two principal components, rows in the order of {@code points}
 * @param mapped the rows of {@code points} t-SNE mapped (null without t-SNE)
 * @param tsne t-SNE coordinates, row k for point {@code mapped.get(k)} (null without t-SNE)
 */
public record Embedding(List<Point> points, List<Distances.Group> groups, int[] skipped, List<Distances.Row> distances,
                        INDArray vectors, double[][] pca, List<Integer> mapped, double[][] tsne) {

    /** One vector's origin: its group (or "probe"), its file. */
    public record Point(String group, String image, boolean probe) {
    }

    /** How the t-SNE map is drawn: null for none. */
    public record TsneSettings(Tsne tsne, int maxPoints, long seed, IntConsumer progress) {
    }

    /**
     * @param files per group, its image files; {@code names} the groups' names, {@code sources} where each came from (for messages)
     * @param progress called with the number of files handled so far, over all groups
     */
    public static Embedding compute(LayerActivations acts, ImageLoader loader, int batch, List<String> names,
                                    List<Path> sources, List<List<Path>> files, List<Path> probes,
                                    TsneSettings tsneSettings, IntConsumer progress) {
        List<INDArray> probeVectors = new ArrayList<>();
        for (Path p : probes) {
            probeVectors.add(acts.means(loader.readNamed(p)));
        }
        List<Distances.Group> groups = new ArrayList<>();
        List<Point> points = new ArrayList<>();
        int[] skipped = new int[files.size()];
        int before = 0;
        for (int g = 0; g < files.size(); g++) {
            List<INDArray> parts = new ArrayList<>();
            String name = names.get(g);
            int offset = before;
            int skippedBefore = loader.skipped().size();
            ImageStream.forEachBatch(files.get(g), loader, batch, (read, images) -> {
                parts.add(acts.means(images));
                read.forEach(f -> points.add(new Point(name, f.toString(), false)));
            }, done -> progress.accept(offset + done));
            before += files.get(g).size();
            skipped[g] = loader.skipped().size() - skippedBefore;
            if (parts.isEmpty()) {
                throw new UsageException("no readable images in " + sources.get(g) + " (" + files.get(g).size()
                        + " files skipped)");
            }
            groups.add(new Distances.Group(name, Nd4j.concat(0, parts.toArray(INDArray[]::new))));
        }
        int imageCount = points.size();
        requireFewerProbes(probes.size(), imageCount);
        List<Distances.Group> probeGroups = new ArrayList<>();
        for (int i = 0; i < probes.size(); i++) {
            probeGroups.add(new Distances.Group(probes.get(i).toString(), probeVectors.get(i)));
            points.add(new Point("probe", probes.get(i).toString(), true));
        }
        List<Distances.Row> distances = Distances.summary(groups, probeGroups);

        List<INDArray> all = new ArrayList<>();
        groups.forEach(g -> all.add(g.vectors()));
        probeGroups.forEach(p -> all.add(p.vectors()));
        INDArray vectors = Nd4j.concat(0, all.toArray(INDArray[]::new));
        double[][] pca = Pca.project(vectors, 2).toDoubleMatrix();

        List<Integer> mapped = null;
        double[][] map = null;
        if (tsneSettings != null) {
            int[] sizes = groups.stream().mapToInt(g -> (int) g.size()).toArray();
            mapped = new ArrayList<>(Subsample.indices(sizes, tsneSettings.maxPoints(), tsneSettings.seed()));
            for (int i = 0; i < probes.size(); i++) {
                mapped.add(imageCount + i);
            }
            tsneSettings.tsne().check(mapped.size());
            INDArray chosen = vectors.getRows(mapped.stream().mapToInt(Integer::intValue).toArray());
            map = tsneSettings.tsne().fit(chosen, tsneSettings.progress());
        }
        return new Embedding(points, groups, skipped, distances, vectors, pca, mapped, map);
    }

    /** A probe is compared with groups of images: more probes than images is a mistake. */
    public static void requireFewerProbes(int probes, int images) {
        if (probes > images) {
            throw new UsageException(probes + " probes but only " + images + " images in the groups: a probe is "
                    + "compared with groups of images, so give fewer probes than images");
        }
    }

    /** How many of the points are images (not probes). */
    public int imageCount() {
        return (int) points.stream().filter(p -> !p.probe()).count();
    }
}
