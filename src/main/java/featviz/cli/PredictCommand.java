package featviz.cli;

import featviz.UsageException;
import featviz.model.Labels;
import featviz.analysis.Predictor;
import featviz.io.ImageFiles;
import featviz.model.VisionModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code featviz predict}: what one or more models call each picture, with class probabilities. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Classify pictures: each model's most probable classes with their probabilities.",
            "",
            "Each image is resized to the model's input size (224 for the ImageNet zoo, 28 for fashion-mnist,",
            "the size a file model's dense head fixes; a file model that takes any size runs at the images'",
            "own size when they share one, else needs --size) and run to the model's classifier output (the",
            "last layer with a vector output; a softmax is applied when that layer has none). Several models",
            "in one call (--model vgg19,resnet50) compare how each one sees the same picture, as when asking",
            "why every ImageNet network calls a rendered channel a sea cucumber. Classes without a name are",
            "shown by their index.",
            "",
            "Examples:",
            "  featviz predict vgg19_block5_conv4_4.png --model vgg19,vgg16,resnet50 --top 3",
            "  featviz predict shirt.png --model net.zip --size 28 --labels classes.txt --json",
            "",
            "Options:"})
public final class PredictCommand implements Callable<Integer> {

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Pictures to classify (any format featviz reads).")
    List<Path> images;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5",
            description = "Classes shown per image and model, most probable first. Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(names = "--size", paramLabel = "PX",
            description = "Image size fed to the models (default: each model's own input size; for a model that takes " +
                "any size, the images' own size when they all share one).")
    Integer size;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Class names, one a line, line i naming output i (for models that bring none).")
    Path labelsFile;

    @Option(names = "--json", description = "Print one JSON array on stdout: per image and model, its top classes " +
        "(rank, index, label, probability), the output layer and whether featviz applied the softmax.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No download progress on stderr.")
    boolean quiet;

    @Mixin
    DebugOption debugOption;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (top < 1) {
            throw new UsageException("--top must be at least 1, not " + top);
        }
        if (size != null && (size < 1 || size > 8192)) {
            throw new UsageException("--size must be between 1 and 8192 pixels, not " + size);
        }
        List<String> names = List.of(modelOptions.model.split(","));
        if (names.stream().anyMatch(String::isBlank)) {
            throw new UsageException("--model " + modelOptions.model + ": an empty name in the list");
        }
        Labels fileLabels = labelsFile == null ? null : Labels.read(labelsFile);
        PrintWriter err = spec.commandLine().getErr();
        for (Path image : images) { // every image readable before any model loads
            ImageFiles.read(image, 1, 1);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String name : names) {
            VisionModel model = modelOptions.load(name.trim(), DownloadProgress.forTerminal(err, quiet));
            int px = ImageSize.forImages(size, model, images);
            Predictor predictor = new Predictor(model, labelsFor(model, fileLabels), px, px);
            for (Path image : images) {
                INDArray pixels = ImageFiles.read(image, px, px, model.inputShape()[0]);
                List<Predictor.Prediction> top = predictor.predict(pixels, this.top).get(0);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("image", image.toString());
                row.put("model", model.name());
                row.put("weights", model.weightsLabel());
                row.put("output_layer", predictor.outputLayer());
                row.put("softmax_applied", predictor.softmaxApplied());
                List<Map<String, Object>> classes = new ArrayList<>();
                for (int r = 0; r < top.size(); r++) {
                    Map<String, Object> c = new LinkedHashMap<>();
                    c.put("rank", r + 1);
                    c.put("index", top.get(r).index());
                    c.put("label", top.get(r).label());
                    c.put("probability", top.get(r).probability());
                    classes.add(c);
                }
                row.put("predictions", classes);
                rows.add(row);
            }
        }
        // Models were run one after another (one in memory at a time); shown per image, to compare them.
        List<Map<String, Object>> byImage = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            for (int m = 0; m < names.size(); m++) {
                byImage.add(rows.get(m * images.size() + i));
            }
        }
        rows = byImage;
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(rows));
        } else {
            printTable(out, rows);
        }
        out.flush();
        return 0;
    }

    /** Names from --labels FILE, else the model's own (the catalogue's, or a labels file beside a model zip). */
    static Labels labelsFor(VisionModel model, Labels fileLabels) {
        return fileLabels != null ? fileLabels : model.labels();
    }

    @SuppressWarnings("unchecked")
    private static void printTable(PrintWriter out, List<Map<String, Object>> rows) {
        int imageWidth = Math.max(5, rows.stream().mapToInt(r -> r.get("image").toString().length()).max().orElse(5));
        int modelWidth = Math.max(5, rows.stream().mapToInt(r -> r.get("model").toString().length()).max().orElse(5));
        String format = "%-" + imageWidth + "s  %-" + modelWidth + "s  %4s  %11s  %5s  %s%n";
        out.printf(format, "image", "model", "rank", "probability", "index", "class");
        for (Map<String, Object> row : rows) {
            for (Map<String, Object> c : (List<Map<String, Object>>) row.get("predictions")) {
                out.printf(format, row.get("image"), row.get("model"), c.get("rank"),
                        String.format(Locale.ROOT, "%.4f", (double) c.get("probability")), c.get("index"), c.get("label"));
            }
        }
    }
}
