package featviz.cli;

import featviz.UsageException;
import featviz.model.LayerInfo;
import featviz.model.VisionModel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code featviz layers}: every layer of a model in network order, with what it outputs. */
@Command(name = "layers", mixinStandardHelpOptions = true,
        description = {"List a model's layers: names for --layer, types, shapes, channels, targets.",
            "",
            "Lists them in network order: the name to pass to --layer, the DL4J type,",
            "the output shape for one image (channels x height x width, or units), the channel count",
            "(the range of --index) and whether featviz can optimise towards it.",
            "",
            "Example: featviz layers --model resnet50 --weights random"})
public final class LayersCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--size", paramLabel = "PX",
            description = "Image size the output shapes are computed for (default: the model's own, 224 for the zoo; " +
                "224 for a model that takes any size).")
    Integer size;

    @Option(names = "--json", description = "Print one JSON array of {name, type, shape, channels, target} instead of a table.")
    boolean json;

    @Mixin
    DebugOption debugOption;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        VisionModel model = modelOptions.load(DownloadProgress.forTerminal(spec.commandLine().getErr(), false));
        int px = size != null ? size : model.inputShape()[1];
        if (px < 1 || px > 8192) {
            throw new UsageException("--size must be between 1 and 8192 pixels, not " + px);
        }
        List<LayerInfo> layers = model.layers(px, px);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (LayerInfo l : layers) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", l.name());
                row.put("type", l.type());
                row.put("shape", l.shape());
                row.put("channels", l.channels());
                row.put("target", l.target());
                rows.add(row);
            }
            out.println(Json.write(rows));
        } else {
            int width = Math.max(5, layers.stream().mapToInt(l -> l.name().length()).max().orElse(5));
            int typeWidth = Math.max(4, layers.stream().mapToInt(l -> l.type().length()).max().orElse(4));
            String format = "%-" + width + "s  %-" + typeWidth + "s  %-14s  %8s  %s%n";
            out.printf(format, "layer", "type", "output", "channels", "target");
            for (LayerInfo l : layers) {
                out.printf(format, l.name(), l.type(), l.shapeText(), l.channels(), l.target() ? "yes" : "no");
            }
            out.printf("%d layers of %s (%s weights), output shapes at %dx%d%s%n", layers.size(), model.name(),
                    model.weightsLabel(), px, px, size == null && model.fixedSize().isEmpty()
                            ? " (its input size is free: --size sets the one shown)" : "");
            // Say why a layer is no target, and what it takes down with it, rather than a bare "no".
            for (String reason : model.unsupported(px, px)) {
                out.println("not a target, nor anything that depends on it: " + reason);
            }
        }
        out.flush();
        return 0;
    }
}
