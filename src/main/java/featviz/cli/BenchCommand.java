package featviz.cli;

import featviz.UsageException;
import featviz.bench.Flops;
import featviz.bench.ProcessStats;
import featviz.bench.RssTrend;
import featviz.model.ImageNetwork;
import featviz.model.VisionModel;
import featviz.model.ZooModel;
import featviz.objective.Objective;
import featviz.render.Renderer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code featviz bench}: the cost of one gradient-ascent step (forward to the layer, backward to the
 * input, update) on random weights (zoo models, unless told otherwise) or a model file's own, as the render
 * loop runs it.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time gradient-ascent steps: ms per step, GFLOP/s, peak memory, start-up.",
            "",
            "Times steps on a zoo model (random weights unless --weights imagenet) or",
            "a model file and print ms per step (median after warm-up), ms per image, GFLOP/s, peak RSS,",
            "its growth from step 50 and the time from process start to the first step. One workload per",
            "run, so peak RSS belongs to it (with several --batch sizes: the largest so far); bench/run.sh runs",
            "the whole table against PyTorch.",
            "",
            "The image options are maximize's (default --preset lucid); --steps counts the timed steps",
            "(default 10). --preset tutorial --optimizer adam times the bare network step.",
            "",
            "Also prints channels per hour: whole renders of one channel each (the preset's steps, 512 for lucid)",
            "at this speed, and the hours for every channel of the layer.",
            "",
            "Example: featviz bench --model resnet50 --batch 8 --steps 10",
            "         featviz bench --model vgg19 --batch 1,2,4,8   # which batch serves a whole layer best"})
public final class BenchCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--layer", paramLabel = "NAME",
            description = "Target layer. Default: vgg19 block5_conv4, resnet50 its last block (activation_49);"
                + " model files have none (featviz layers --model PATH lists theirs).")
    String layer;

    private int size;

    @Option(names = "--batch", paramLabel = "N[,N...]", split = ",", defaultValue = "1",
            description = "Images per step; several (--batch 1,2,4,8) time each in turn and name the one that renders"
                + " most channels per hour. Default: ${DEFAULT-VALUE}.")
    List<Integer> batches;

    private int batch;
    private long firstStepAt = -1;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2", description = "Untimed steps first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Mixin
    RenderOptions render;

    @Mixin
    PrecisionOption precision;

    private int steps;

    @Option(names = "--profile", description = "Also print the time of each layer's forward and backward pass.")
    boolean profile;

    @Option(names = "--json", description = "One JSON object on stdout instead of a line of text.")
    boolean json;

    @Mixin
    DebugOption debugOption;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        boolean zoo = ZooModel.find(modelOptions.model) != null;
        if (modelOptions.weights == null && zoo && ZooModel.find(modelOptions.model).imagenet()) {
            modelOptions.weights = "random";
        }
        if (layer == null && !zoo) {
            throw new UsageException("--layer is needed with a model file (featviz layers --model "
                    + modelOptions.model + " lists its layers)");
        }
        steps = render.steps != null ? render.steps : 10;
        size = render.size != null ? render.size : 224;
        render.validate();
        precision.validate();
        if (batches.stream().anyMatch(b -> b < 1) || steps < 1 || warmup < 0 || size < 8) {
            throw new UsageException("--batch and --steps must be at least 1, --warmup 0, --size 8");
        }
        VisionModel model = modelOptions.load(featviz.model.WeightStore.ProgressListener.NONE);
        render.forModel(model);
        size = ImageSize.forRender(render.size, model);
        // ResNet-50 is timed to its last convolution block, the others to their default layer.
        String layerName = layer != null ? layer : model.name().equals("resnet50") ? "activation_49"
                : model.defaultLayer();
        String vertex = model.resolve(layerName);
        long layerChannels = model.outputShape(vertex, size, size)[0]; // (C, H, W), or (N) for a dense layer
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> best = null;
        for (int b : batches) {
            batch = b;
            Map<String, Object> row = time(model, layerName, vertex, layerChannels, out);
            if (best == null || (double) row.get("channels_per_hour") > (double) best.get("channels_per_hour")) {
                best = row;
            }
        }
        if (batches.size() > 1 && !json) {
            out.println(String.format(Locale.ROOT, "best: --batch %d, %.0f channels per hour, %s layer of %d channels in"
                    + " %.1f hours", (int) best.get("batch"), (double) best.get("channels_per_hour"), layerName, layerChannels,
                    (double) best.get("layer_hours")));
        }
        out.flush();
        return 0;
    }

    /** Times one batch size and prints its row; returns the row. */
    private Map<String, Object> time(VisionModel model, String layerName, String vertex, long layerChannels, PrintWriter out) {
        ImageNetwork network = model.network(List.of(vertex), DataType.FLOAT, size, size);
        precision.applyTo(network);
        double gflop = 2 * Flops.forward(model.spec(size, size), network.network().nodeNames()) / 1e9;

        List<Long> channels = new ArrayList<>();
        for (long c = 0; c < batch; c++) {
            channels.add(c);
        }
        Objective objective = new featviz.objective.ChannelPerImageObjective(vertex, layerName, channels);
        Renderer renderer = new Renderer(network, objective, render.param(channels, size, null), render.optimizers().get(),
                render.transformsFor(network, size), 0);
        if (firstStepAt < 0) {
            firstStepAt = ProcessStats.uptimeMillis(); // start-up: the first batch size's
        }
        renderer.run(Math.max(1, warmup), featviz.render.RenderListener.NONE);
        RssTrend memory = new RssTrend(); // from step 50 (or the first) on, memory must stay flat
        if (profile) {
            network.network().startProfiling();
        }
        double[] times = new double[steps];
        renderer.run(steps, new featviz.render.RenderListener() {
            long last = System.nanoTime();

            @Override
            public void stepDone(int step, int total, double objectiveValue) {
                long now = System.nanoTime();
                times[step - 1] = (now - last) / 1e6;
                if (step >= Math.min(50, steps)) {
                    memory.sample(); // outside the timed interval
                }
                last = System.nanoTime();
            }
        });
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];

        Map<String, Object> row = new LinkedHashMap<>();
        row.put("model", model.name());
        row.put("layer", layerName);
        row.put("size", size);
        row.put("batch", batch);
        row.put("preset", render.settings().get("param") + " " + render.transformSpec());
        row.put("precision", precision.get().label());
        row.put("ms_per_step", median);
        row.put("ms_per_image", median / batch);
        row.put("mean_input_px", renderer.meanInputSide());
        row.put("gflop_per_image", gflop);
        row.put("gflops", gflop * batch / (median / 1e3));
        row.put("peak_rss_mb", ProcessStats.peakRss() / 1e6);
        row.put("rss_growth_pct", memory.growthPercent());
        row.put("start_to_first_step_s", firstStepAt / 1e3);
        row.put("threads", Runtime.getRuntime().availableProcessors());
        // A whole layer: one render of the preset's steps per channel, batch channels at a time.
        double channelsPerHour = 3600e3 / (median / batch * render.preset().steps);
        row.put("render_steps", render.preset().steps);
        row.put("channels_per_hour", channelsPerHour);
        row.put("layer_channels", layerChannels);
        row.put("layer_hours", layerChannels / channelsPerHour);
        if (profile) {
            double inNetwork = network.network().profile().values().stream().mapToDouble(t -> t[0] + t[1]).sum() / 1e6 / steps;
            row.put("network_ms_per_step", inNetwork);
        }
        row.put("backend", Nd4j.getBackend().getClass().getSimpleName());
        if (json) {
            out.println(Json.write(row));
        } else {
            out.println(String.format(Locale.ROOT,
                    "%s %s %dpx batch %d (%s, %s): %.0f ms/step, %.0f ms/image, %.1f GFLOP/image, %.1f GFLOP/s, peak RSS %.0f MB, "
                            + "RSS growth %.1f%% (last 5 s against the 5 s from step 50), first step at %.2f s%s; "
                            + "%.0f channels per hour at %d steps each: the layer's %d channels in %.1f hours",
                    model.name(), layerName, size, batch, row.get("preset"), row.get("precision"), median, median / batch, gflop,
                    gflop * batch / (median / 1e3), ProcessStats.peakRss() / 1e6, row.get("rss_growth_pct"),
                    firstStepAt / 1e3, profile ? String.format(Locale.ROOT, ", network %.0f ms/step",
                            (double) row.get("network_ms_per_step")) : "", channelsPerHour, render.preset().steps,
                    layerChannels, layerChannels / channelsPerHour));
        }
        if (profile) {
            printProfile(out, network, model);
        }
        out.flush();
        return row;
    }

    private void printProfile(PrintWriter out, ImageNetwork network, VisionModel model) {
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(network.network().profile().entrySet());
        double total = rows.stream().mapToDouble(e -> e.getValue()[0] + e.getValue()[1]).sum();
        out.println(String.format(Locale.ROOT, "%-18s %10s %10s %6s", "layer", "fwd ms", "bwd ms", "share"));
        for (Map.Entry<String, long[]> e : rows) {
            long[] t = e.getValue();
            out.println(String.format(Locale.ROOT, "%-18s %10.1f %10.1f %5.1f%%", model.displayName(e.getKey()),
                    t[0] / 1e6 / steps, t[1] / 1e6 / steps, 100 * (t[0] + t[1]) / total));
        }
    }
}
