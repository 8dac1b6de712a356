package featviz.analysis;

import featviz.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG plots through XChart, written atomically at the size asked for. */
public final class Plots {
    /** Distinct colours for up to 12 series (Tableau's), then repeated. */
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf),
        new Color(0x393b79), new Color(0xad494a)};

    private Plots() {
    }

    /** A named set of 2-D points. */
    public record PointSet(String name, double[] x, double[] y) {
    }

    /**
     * The activation profile: channel on x, mean activation on y, one line per image, the {@code labelled}
     * largest channels of each image marked with their numbers.
     */
    public static XYChart profile(String title, List<String> images, double[][] means, int labelled, int width, int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
                .xAxisTitle("channel").yAxisTitle("mean activation").build();
        style(chart);
        chart.getStyler().setMarkerSize(0);
        chart.getStyler().setLegendVisible(images.size() > 1);
        // XChart ticks equally spaced data at every k-th point whatever the spacing hint, and k = 6 for 256
        // channels gives numbers that run together: only multiples of a power of two near channels / 16 are
        // labelled (every 48th of 256, for instance).
        int channels = means.length == 0 ? 1 : means[0].length;
        int every = Integer.highestOneBit(Math.max(1, channels / 16));
        chart.getStyler().setxAxisTickLabelsFormattingFunction(v -> Math.rint(v) % every == 0 ? Long.toString(Math.round(v)) : "");
        double top = 0;
        for (double[] row : means) {
            for (double v : row) {
                top = Math.max(top, Math.abs(v));
            }
        }
        java.util.Map<Integer, Double> labels = new java.util.TreeMap<>(); // a channel is numbered once, at its highest
        for (int i = 0; i < images.size(); i++) {
            double[] y = means[i];
            double[] x = IntStream.range(0, y.length).asDoubleStream().toArray();
            XYSeries s = chart.addSeries(unique(chart, images.get(i)), x, y);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(PALETTE[i % PALETTE.length]);
            s.setLineStyle(new BasicStroke(1.2f));
            for (int c : ActivationProfile.top(y, labelled)) {
                labels.merge(c, y[c], Math::max);
            }
        }
        for (java.util.Map.Entry<Integer, Double> l : labels.entrySet()) {
            chart.addAnnotation(new org.knowm.xchart.AnnotationText(Integer.toString(l.getKey()), l.getKey(),
                    l.getValue() + 0.03 * top, false));
        }
        chart.getStyler().setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        return chart;
    }

    /** A scatter plot: one colour per group with a legend; probes as large black-edged diamonds, labelled. */
    public static XYChart scatter(String title, String xTitle, String yTitle, List<PointSet> groups, List<PointSet> probes,
                                  int width, int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        style(chart);
        chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(6);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        for (int i = 0; i < groups.size(); i++) {
            PointSet g = groups.get(i);
            if (g.x().length == 0) {
                continue;
            }
            XYSeries s = chart.addSeries(unique(chart, g.name()), g.x(), g.y());
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(new Color(PALETTE[i % PALETTE.length].getRGB() & 0xffffff | 0xb0000000, true));
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (PointSet g : groups) {
            for (double v : g.y()) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        double lift = Double.isFinite(hi - lo) ? 0.03 * (hi - lo) : 0; // labels above their diamonds, not on them
        for (PointSet p : probes) {
            XYSeries s = chart.addSeries(unique(chart, "probe: " + p.name()), p.x(), p.y());
            s.setMarker(SeriesMarkers.DIAMOND);
            s.setMarkerColor(Color.BLACK);
            for (int k = 0; k < p.x().length; k++) {
                chart.addAnnotation(new org.knowm.xchart.AnnotationText(p.name(), p.x()[k], p.y()[k] + lift, false));
            }
        }
        chart.getStyler().setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        return chart;
    }

    private static void style(XYChart chart) {
        org.knowm.xchart.style.XYStyler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(true);
        s.setAntiAlias(true);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    }

    /** XChart refuses two series of the same name; a repeated image name gets a suffix. */
    private static String unique(XYChart chart, String name) {
        String candidate = name;
        for (int k = 2; chart.getSeriesMap().containsKey(candidate); k++) {
            candidate = name + " (" + k + ")";
        }
        return candidate;
    }

    /** The chart as PNG bytes, exactly its width x height. */
    public static byte[] png(XYChart chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the chart to {@code file} atomically. */
    public static void write(XYChart chart, Path file) {
        AtomicFiles.write(file, png(chart));
    }

    /** The indexes of the largest values, largest first (ties by index). */
    static List<Integer> largest(double[] v, int k) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            idx.add(i);
        }
        idx.sort(Comparator.<Integer>comparingDouble(i -> -v[i]).thenComparingInt(i -> i));
        return idx.subList(0, Math.min(k, v.length));
    }
}
