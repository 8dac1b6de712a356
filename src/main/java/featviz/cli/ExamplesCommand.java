package featviz.cli;

import featviz.UsageException;
import featviz.analysis.DatasetExamples;
import featviz.analysis.ImageDirectory;
import featviz.analysis.ImageLoader;
import featviz.analysis.ImageStream;
import featviz.analysis.LayerActivations;
import featviz.io.AtomicFiles;
import featviz.io.ImageFiles;
import featviz.model.VisionModel;
import featviz.render.ChannelSelection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code featviz examples}: the real images of a dataset that activate each channel most, with crops. */
@Command(name = "examples", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The dataset images that activate each channel most, cropped around that spot.",
            "",
            "Every image in DIR is resized to --size and run up to --layer in batches. An image's activation",
            "for a channel is the channel's largest value over all positions; the --top K images with the",
            "highest are the channel's examples (ties: file name order), each cropped to --crop pixels around",
            "that position, as OpenAI Microscope shows beside each unit's visualization. Written to --output:",
            "<channel>/<rank>.png (rank 1 is the strongest) and examples.json, which featviz gallery --examples",
            "reads. The layer must have spatial positions (a convolution or pooling, not a dense layer).",
            "",
            "Files in DIR that are not readable images are skipped with a warning each and counted (datasets",
            "often hold a stray README or thumbnail file); --strict stops instead, exit 2, nothing written.",
            "",
            "Examples:",
            "  featviz examples imagenet-val/ --layer block5_conv4 --index 0-63 --top 9 --output examples/",
            "  featviz examples fmnist-test/ --model net.zip --size 28 --layer conv2 --index all --crop 14",
            "",
            "Options:"})
public final class ExamplesCommand implements Callable<Integer> {

    @Parameters(paramLabel = "DIR", description = "Directory of images (the dataset).")
    Path directory;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--layer", paramLabel = "NAME", required = true,
            description = "Layer whose channels to find examples for (featviz layers lists them).")
    String layer;

    @Option(names = "--index", paramLabel = "SPEC", defaultValue = "all",
            description = "Channels: 4, 0-63, 4,9,17, all. Default: ${DEFAULT-VALUE}.")
    String index;

    @Option(names = "--top", paramLabel = "K", defaultValue = "9",
            description = "Examples per channel. Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(names = "--size", paramLabel = "PX",
            description = "Image size fed to the model (default: the model's input size; for a model that takes any " +
                "size, the images' own size when they all share one).")
    Integer size;

    @Option(names = "--crop", paramLabel = "PX",
            description = "Side of the square crop around the most active position (default: half of --size).")
    Integer crop;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = "examples",
            description = "Output directory, created if missing. Default: ${DEFAULT-VALUE}.")
    Path output;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "16",
            description = "Images per forward pass. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--strict", description = "Stop (exit 2, nothing written) at the first file that is not a readable image.")
    boolean strict;

    @Option(names = "--json", description = "Print examples.json's content on stdout too.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress or warnings on stderr.")
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
        if (batch < 1) {
            throw new UsageException("--batch must be at least 1, not " + batch);
        }
        List<Path> files = ImageDirectory.files(directory);
        AnalysisOutput.requireWritableDirectory(output);
        PrintWriter err = spec.commandLine().getErr();
        VisionModel model = modelOptions.load(DownloadProgress.forTerminal(err, quiet));
        int px = AnalysisOutput.imageSize(ImageSize.forImages(size, model, files));
        int side = crop != null ? crop : Math.max(1, px / 2);
        if (side < 1 || side > px) {
            throw new UsageException("--crop must be between 1 and --size (" + px + ") pixels, not " + side);
        }
        LayerActivations acts = new LayerActivations(model, layer, px);
        acts.requireSpatial("dataset examples");
        List<Long> channels = ChannelSelection.parse(index, acts.channels(), acts.layer());
        DatasetExamples examples = new DatasetExamples(acts, channels, top);
        ImageLoader loader = new ImageLoader(px, px, model.inputShape()[0], strict, line -> {
            if (!quiet) {
                err.println("featviz: " + line);
                err.flush();
            }
        });
        ImageStream.forEachBatch(files, loader, batch, examples::add,
                ItemProgress.create(err, quiet, "examples", "images", files.size()));
        if (examples.seen() == 0) {
            throw new UsageException("no readable images in " + directory + " (" + files.size() + " files skipped)");
        }
        Map<Long, List<DatasetExamples.Example>> result = examples.result();

        // Crops: the chosen images again, at the size the network saw them. Then the files.
        Map<Path, byte[]> crops = new LinkedHashMap<>();
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("model", model.name());
        manifest.put("weights", model.weightsLabel());
        manifest.put("layer", acts.layer());
        manifest.put("size", px);
        manifest.put("crop", side);
        manifest.put("directory", directory.toString());
        manifest.put("images", examples.seen());
        manifest.put("skipped", loader.skipped().size());
        manifest.put("measure", "max over positions");
        Map<String, Object> perChannel = new LinkedHashMap<>();
        for (Map.Entry<Long, List<DatasetExamples.Example>> e : result.entrySet()) {
            List<Map<String, Object>> list = new ArrayList<>();
            int rank = 1;
            for (DatasetExamples.Example ex : e.getValue()) {
                String name = String.format(Locale.ROOT, "%04d/%02d.png", e.getKey(), rank);
                crops.put(output.resolve(name), png(DatasetExamples.crop(loader.readNamed(ex.file()), ex, side)));
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("rank", rank++);
                row.put("file", ex.file().toString());
                row.put("activation", ex.activation());
                row.put("row", ex.row());
                row.put("col", ex.col());
                row.put("crop", name);
                list.add(row);
            }
            perChannel.put(Long.toString(e.getKey()), list);
        }
        manifest.put("channels", perChannel);
        for (Map.Entry<Path, byte[]> c : crops.entrySet()) {
            AnalysisOutput.createDirectory(c.getKey().getParent());
            AtomicFiles.write(c.getKey(), c.getValue());
        }
        String text = Json.write(manifest);
        AnalysisOutput.writeText(output.resolve("examples.json"), text + "\n");
        if (json) {
            spec.commandLine().getOut().println(text);
            spec.commandLine().getOut().flush();
        }
        if (!quiet) {
            err.println("featviz: " + examples.seen() + " images" + (loader.skipped().isEmpty() ? ""
                    : " (" + loader.skipped().size() + " unreadable files skipped)") + "; " + channels.size()
                    + " channels of " + acts.layer() + ", " + top + " examples each, in " + output);
            err.flush();
        }
        return 0;
    }

    private static byte[] png(org.nd4j.linalg.api.ndarray.INDArray image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(ImageFiles.toImage(image), "png", bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
