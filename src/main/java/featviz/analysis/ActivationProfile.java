package featviz.analysis;

import java.util.List;
import java.util.Locale;

/** Per-channel spatial means of some images at one layer: the CSV table and each image's strongest channels. */
public final class ActivationProfile {
    private final String layer;
    private final List<String> images;
    private final double[][] means; // [image][channel]

    public ActivationProfile(String layer, List<String> images, double[][] means) {
        this.layer = layer;
        this.images = List.copyOf(images);
        this.means = means;
    }

    public String layer() {
        return layer;
    }

    public List<String> images() {
        return images;
    }

    public double[][] means() {
        return means;
    }

    /** The {@code k} channels with the largest values, largest first (ties by channel number). */
    public static List<Integer> top(double[] values, int k) {
        return Plots.largest(values, k);
    }

    /**
     * CSV: a header {@code image,0,1,...} then one row per image, each value as Java prints a float (the
     * shortest decimal that reads back to the same float, which is what the network computed).
     */
    public String csv() {
        StringBuilder sb = new StringBuilder("image");
        int channels = means.length == 0 ? 0 : means[0].length;
        for (int c = 0; c < channels; c++) {
            sb.append(',').append(c);
        }
        sb.append('\n');
        for (int i = 0; i < images.size(); i++) {
            sb.append(Csv.field(images.get(i)));
            for (double v : means[i]) {
                sb.append(',').append(Csv.number(v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** {@code channel:value} of the top {@code k} channels of image {@code i}. */
    public String topText(int i, int k) {
        StringBuilder sb = new StringBuilder();
        for (int c : top(means[i], k)) {
            sb.append(sb.length() == 0 ? "" : "  ").append(String.format(Locale.ROOT, "%d:%.4g", c, means[i][c]));
        }
        return sb.toString();
    }
}
