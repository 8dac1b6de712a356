package featviz.cli;

import featviz.UsageException;
import featviz.analysis.ActivationProfile;
import featviz.analysis.LayerActivations;
import featviz.analysis.Plots;
import featviz.io.ImageFiles;
import featviz.model.VisionModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code featviz activations}: the activation profile of pictures at one layer, as CSV and as a plot. */
@Command(name = "activations", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Each picture's per-channel mean activation at a layer, as CSV and a profile plot.",
            "",
            "Each image is resized to --size and run up to --layer; each channel's activation is averaged over",
            "its spatial positions (a dense layer's units are used as they are). The CSV has one row per image",
            "and one column per channel; the plot (PNG) has the channel on x, one line per image, and each",
            "image's --label largest channels numbered. Both files are written only when everything succeeded.",
            "",
            "Examples:",
            "  featviz activations render.png sea_cucumber_*.jpg --layer block5_conv4 --top 5",
            "  featviz activations a.png b.png --model net.zip --layer conv2 --size 28 --csv a.csv --plot a.png",
            "",
            "Options:"})
public final class ActivationsCommand implements Callable<Integer> {

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Pictures to run (any format featviz reads).")
    List<Path> images;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--layer", paramLabel = "NAME", required = true,
            description = "Layer whose channels are averaged (featviz layers lists them).")
    String layer;

    @Option(names = "--size", paramLabel = "PX",
            description = "Image size fed to the model (default: the model's input size; for a model that takes any " +
                "size, the images' own size when they all share one).")
    Integer size;

    @Option(names = "--csv", paramLabel = "FILE", defaultValue = "activations.csv",
            description = "CSV output: image,0,1,...,C-1, one row per image. Default: ${DEFAULT-VALUE}.")
    Path csv;

    @Option(names = "--plot", paramLabel = "FILE", defaultValue = "activations.png",
            description = "Profile plot output (PNG). Default: ${DEFAULT-VALUE}.")
    Path plot;

    @Option(names = "--plot-size", paramLabel = "WxH", defaultValue = "1200x500",
            description = "Plot size in pixels. Default: ${DEFAULT-VALUE}.")
    String plotSize;

    @Option(names = "--label", paramLabel = "N", defaultValue = "3",
            description = "Largest channels numbered on the plot per image. Default: ${DEFAULT-VALUE}.")
    int label;

    @Option(names = "--top", paramLabel = "K", defaultValue = "0",
            description = "Also print each image's K most active channels (channel:mean) on stdout. Default: none.")
    int top;

    @Option(names = "--json", description = "Print one JSON object on stdout: layer, channels, csv, plot, and per " +
        "image its top channels (--top, or 5).")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
    boolean quiet;

    @Mixin
    DebugOption debugOption;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        int[] wh = AnalysisOutput.plotSize("--plot-size", plotSize);
        if (top < 0 || label < 0) {
            throw new UsageException((top < 0 ? "--top" : "--label") + " must be 0 or more");
        }
        AnalysisOutput.requireWritable(csv, plot);
        PrintWriter err = spec.commandLine().getErr();
        VisionModel model = modelOptions.load(DownloadProgress.forTerminal(err, quiet));
        int px = AnalysisOutput.imageSize(ImageSize.forImages(size, model, images));
        LayerActivations acts = new LayerActivations(model, layer, px);
        double[][] means = new double[images.size()][];
        List<String> names = new ArrayList<>();
        var progress = ItemProgress.create(err, quiet || images.size() < 2, "activations", "images", images.size());
        for (int i = 0; i < images.size(); i++) {
            INDArray pixels = ImageFiles.read(images.get(i), px, px, model.inputShape()[0]);
            means[i] = acts.means(pixels).toDoubleVector();
            names.add(images.get(i).toString());
            progress.accept(i + 1);
        }
        ActivationProfile profile = new ActivationProfile(acts.layer(), names, means);
        byte[] png = Plots.png(Plots.profile(model.name() + " " + acts.layer() + ": mean activation per channel",
                names, means, label, wh[0], wh[1]));
        AnalysisOutput.writeText(csv, profile.csv());
        featviz.io.AtomicFiles.write(plot, png);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", model.name());
            o.put("layer", acts.layer());
            o.put("channels", acts.channels());
            o.put("size", px);
            o.put("csv", csv.toString());
            o.put("plot", plot.toString());
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                List<Map<String, Object>> topList = new ArrayList<>();
                for (int c : ActivationProfile.top(means[i], top > 0 ? top : 5)) {
                    topList.add(Map.of("channel", c, "mean", means[i][c]));
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("image", names.get(i));
                row.put("top", topList);
                rows.add(row);
            }
            o.put("images", rows);
            out.println(Json.write(o));
        } else if (top > 0) {
            for (int i = 0; i < names.size(); i++) {
                out.println(names.get(i) + "  " + profile.topText(i, top));
            }
        }
        out.flush();
        if (!quiet) {
            err.println("featviz: wrote " + csv + " and " + plot + " (" + names.size() + " images x " + acts.channels()
                    + " channels of " + acts.layer() + ")");
            err.flush();
        }
        return 0;
    }
}
