package featviz.gallery;

import featviz.job.Manifest;
import featviz.io.PngWriter;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Output directories as a sharded {@code featviz maximize --output} would leave them, made by hand. */
public final class GalleryFixtures {
    private GalleryFixtures() {
    }

    /** The settings of a run: vgg19, random weights, the given layer and steps. */
    public static Map<String, Object> settings(String layer, int steps) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", "vgg19");
        s.put("weights", "random seed 0");
        s.put("layer", layer);
        s.put("steps", steps);
        s.put("size", 24);
        s.put("optimizer", "adam(lr=0.05)");
        return s;
    }

    /** A distinct, fully saturated-ish colour per channel, 0xRRGGBB. */
    public static int colour(int channel) {
        int r = (channel * 67 + 40) % 256;
        int g = (channel * 151 + 90) % 256;
        int b = (channel * 29 + 200) % 256;
        return (r << 16) | (g << 8) | b;
    }

    public static BufferedImage solid(int width, int height, int rgb) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    /** The relative file the renders are written to: model/layer/0004.png. */
    public static String file(String layer, int channel) {
        return "vgg19/" + layer + "/" + String.format("%04d.png", channel);
    }

    /**
     * Writes shard {@code k} of {@code n} of channels 0 to {@code channels - 1} of {@code layer} into {@code dir}:
     * channels c with c % n == k - 1, each a solid 24 px image of {@link #colour}, objective 100 + c.
     */
    public static Manifest shard(Path dir, String layer, int channels, int k, int n) throws Exception {
        Files.createDirectories(dir);
        Manifest manifest = Manifest.load(dir);
        String id = manifest.addSettings(settings(layer, 16));
        for (int c = k - 1; c < channels; c += n) {
            render(dir, manifest, layer, c, id, 100 + c);
        }
        manifest.write(dir);
        return manifest;
    }

    /** Writes one render's image and adds it to the manifest (not written). */
    public static Manifest.Render render(Path dir, Manifest manifest, String layer, int channel, String settingsId,
                                         double objective) throws Exception {
        String file = file(layer, channel);
        Path png = dir.resolve(file);
        Files.createDirectories(png.getParent());
        PngWriter.write(solid(24, 24, colour(channel)), png, Map.of());
        Manifest.Render r = new Manifest.Render("vgg19", layer, channel, file, objective, 0.5 + channel / 10.0, settingsId);
        manifest.add(r);
        return r;
    }

    public static List<Integer> channels(Manifest manifest) {
        return manifest.entries().stream().map(Manifest.Render::channel).toList();
    }
}
