package featviz.analysis;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The files of {@code featviz embed}, as bytes under their names: distances.csv, pca.csv and pca.png, tsne.csv
 * and tsne.png (with a map), vectors.csv (on request). The caller writes them, so that nothing is on disk until
 * all of them could be made.
 */
public final class EmbeddingFiles {
    private EmbeddingFiles() {
    }

    /**
     * @param title the plots' title start (model and layer)
     * @param groupNames the groups in legend order
     * @param perplexity shown in the t-SNE plot's title
     * @param width plot width in pixels; {@code height} likewise
     */
    public static Map<String, byte[]> of(Embedding e, String title, List<String> groupNames, double perplexity,
                                         boolean withVectors, int width, int height) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("distances.csv", utf8(distancesCsv(e.distances())));
        List<Integer> everyone = new ArrayList<>();
        for (int i = 0; i < e.points().size(); i++) {
            everyone.add(i);
        }
        files.put("pca.csv", coordinatesCsv(e.points(), everyone, e.pca(), "pc1", "pc2"));
        files.put("pca.png", Plots.png(scatter(title + ": PCA of mean activations", "PC 1", "PC 2",
                e.points(), everyone, e.pca(), groupNames, width, height)));
        if (e.tsne() != null) {
            int images = e.imageCount();
            int mappedImages = (int) e.mapped().stream().filter(i -> i < images).count();
            files.put("tsne.csv", coordinatesCsv(e.points(), e.mapped(), e.tsne(), "x", "y"));
            String note = mappedImages < images
                    ? String.format(Locale.ROOT, " (%d of %d images)", mappedImages, images) : "";
            files.put("tsne.png", Plots.png(scatter(title + ": t-SNE, perplexity "
                    + Csv.number(perplexity).replaceFirst("\\.0$", "") + note, "t-SNE 1", "t-SNE 2",
                    e.points(), e.mapped(), e.tsne(), groupNames, width, height)));
        }
        if (withVectors) {
            files.put("vectors.csv", vectorsCsv(e.points(), e.vectors()));
        }
        return files;
    }

    static String distancesCsv(List<Distances.Row> rows) {
        StringBuilder sb = new StringBuilder("kind,from,to,pairs,mean_l2,mean_cosine\n");
        for (Distances.Row r : rows) {
            sb.append(r.kind()).append(',').append(Csv.field(r.from())).append(',').append(Csv.field(r.to())).append(',')
                    .append(r.pairs()).append(',').append(Csv.number(r.meanL2())).append(',')
                    .append(Csv.number(r.meanCosine())).append('\n');
        }
        return sb.toString();
    }

    private static byte[] coordinatesCsv(List<Embedding.Point> points, List<Integer> rows, double[][] xy, String xName,
                                         String yName) {
        StringBuilder sb = new StringBuilder("group,image,probe," + xName + "," + yName + "\n");
        for (int k = 0; k < rows.size(); k++) {
            Embedding.Point p = points.get(rows.get(k));
            sb.append(Csv.field(p.group())).append(',').append(Csv.field(p.image())).append(',').append(p.probe())
                    .append(',').append(xy[k][0]).append(',').append(xy[k][1]).append('\n');
        }
        return utf8(sb.toString());
    }

    private static byte[] vectorsCsv(List<Embedding.Point> points, INDArray vectors) {
        StringBuilder sb = new StringBuilder("group,image,probe");
        for (long c = 0; c < vectors.size(1); c++) {
            sb.append(',').append(c);
        }
        sb.append('\n');
        for (int i = 0; i < points.size(); i++) {
            Embedding.Point p = points.get(i);
            sb.append(Csv.field(p.group())).append(',').append(Csv.field(p.image())).append(',').append(p.probe());
            for (double v : vectors.getRow(i).toDoubleVector()) {
                sb.append(',').append(Csv.number(v));
            }
            sb.append('\n');
        }
        return utf8(sb.toString());
    }

    /** rows[k] is the point of xy[k]; each group one colour, each probe its own marked series. */
    private static org.knowm.xchart.XYChart scatter(String title, String xTitle, String yTitle,
                                                    List<Embedding.Point> points, List<Integer> rows, double[][] xy,
                                                    List<String> groupNames, int width, int height) {
        List<Plots.PointSet> groups = new ArrayList<>();
        for (String g : groupNames) {
            List<double[]> pts = new ArrayList<>();
            for (int k = 0; k < rows.size(); k++) {
                Embedding.Point p = points.get(rows.get(k));
                if (!p.probe() && p.group().equals(g)) {
                    pts.add(xy[k]);
                }
            }
            groups.add(new Plots.PointSet(g, pts.stream().mapToDouble(a -> a[0]).toArray(),
                    pts.stream().mapToDouble(a -> a[1]).toArray()));
        }
        List<Plots.PointSet> probeSets = new ArrayList<>();
        for (int k = 0; k < rows.size(); k++) {
            Embedding.Point p = points.get(rows.get(k));
            if (p.probe()) {
                String name = Path.of(p.image()).getFileName().toString();
                probeSets.add(new Plots.PointSet(name, new double[] {xy[k][0]}, new double[] {xy[k][1]}));
            }
        }
        return Plots.scatter(title, xTitle, yTitle, groups, probeSets, width, height);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
