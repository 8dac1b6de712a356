package featviz.cli;

import featviz.UsageException;
import featviz.gallery.Manifest;
import featviz.io.AtomicFiles;
import featviz.io.ImageFiles;
import featviz.io.PngWriter;
import featviz.render.RenderListener;
import featviz.render.RenderResult;
import featviz.render.Renderer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Renders many channels of one layer into a directory: {@code DIR/<model>/<layer>/<channel>.png} and
 * {@code DIR/manifest.json}. Channels already in the manifest with the same settings are skipped, so a
 * rerun resumes; every file is written atomically and the manifest after every batch, so a run killed at
 * any moment leaves nothing half-written; Ctrl-C finishes the batch in flight and exits 130.
 */
final class DirectoryRender {
    private final String model;
    private final String layer;
    private final Path dir;
    private final int batch;
    private final boolean json;
    private final boolean quiet;
    private final PrintWriter err;
    private final PrintWriter out;

    DirectoryRender(String model, String layer, Path dir, int batch, boolean json, boolean quiet, PrintWriter err,
                    PrintWriter out) {
        this.model = model;
        this.layer = layer;
        this.dir = dir;
        this.batch = batch;
        this.json = json;
        this.quiet = quiet;
        this.err = err;
        this.out = out;
    }

    /**
     * @param mine the channels of this run (its shard)
     * @param renderers a renderer for a batch of channels, image b for channel b
     * @param provenance the PNG text chunks of a channel's image
     */
    int run(List<Long> mine, int selectedCount, String shard, Map<String, Object> settings,
            Function<List<Long>, Renderer> renderers, int steps, Function<Long, Map<String, String>> provenance) {
        createDirectories(dir);
        AtomicFiles.requireWritableDirectory(dir.resolve(Manifest.FILE_NAME)); // before hours of work
        AtomicFiles.removeLeftovers(dir, 3);
        Manifest manifest = Manifest.load(dir);
        Map<String, Object> shared = new LinkedHashMap<>(settings);
        shared.remove("featviz"); // a new featviz version alone does not redo finished work
        String settingsId = manifest.addSettings(shared);
        List<Long> todo = new ArrayList<>();
        for (long c : mine) {
            var done = manifest.get(new Manifest.Key(model, layer, (int) c, settingsId));
            if (done.isEmpty() || !Files.isRegularFile(done.get().path(dir))) {
                todo.add(c);
            }
        }
        if (!quiet) {
            err.println(String.format(Locale.ROOT, "%s %s: %d of %d channels in this %s, %d already done, %d to render",
                    model, layer, mine.size(), selectedCount, shard == null ? "run" : "shard " + shard,
                    mine.size() - todo.size(), todo.size()));
            err.flush();
        }
        Interrupts interrupts = Interrupts.install(err);
        RenderListener progress = ProgressBar.create(err, quiet, model + " " + layer + " channels");
        int done = 0;
        for (int from = 0; from < todo.size(); from += batch) {
            if (interrupts.requested()) {
                err.println("featviz: stopped after " + done + " of " + todo.size()
                        + " channels; run the same command again to resume");
                err.flush();
                return Interrupts.EXIT_INTERRUPTED;
            }
            List<Long> chans = todo.subList(from, Math.min(todo.size(), from + batch));
            long t0 = System.nanoTime();
            RenderResult result = renderers.apply(chans).run(steps, RenderListener.NONE);
            double seconds = (System.nanoTime() - t0) / 1e9 / chans.size();
            for (int b = 0; b < chans.size(); b++) {
                write(manifest, settingsId, result, b, chans.get(b), seconds, provenance);
            }
            // The manifest follows every batch, so a run killed at any moment resumes where it was.
            manifest.write(dir);
            done += chans.size();
            progress.stepDone(done, todo.size(), result.lastObjective()[chans.size() - 1]);
        }
        manifest.write(dir);
        if (!quiet) {
            err.println("rendered " + done + " channels into " + dir);
            err.flush();
        }
        return 0;
    }

    private void write(Manifest manifest, String settingsId, RenderResult result, int b, long channel, double seconds,
                       Function<Long, Map<String, String>> provenance) {
        String file = model + "/" + fileSafe(layer) + "/" + String.format(Locale.ROOT, "%04d.png", channel);
        Path target = dir.resolve(file);
        createDirectories(target.getParent());
        INDArray images = result.image();
        INDArray image = images.get(NDArrayIndex.point(b)).reshape(1, images.size(1), images.size(2), images.size(3));
        PngWriter.write(ImageFiles.toImage(image), target, provenance.apply(channel));
        manifest.add(new Manifest.Render(model, layer, (int) channel, file, result.lastObjective()[b], seconds, settingsId));
        if (json) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("channel", channel);
            line.put("file", target.toString());
            line.put("objective", result.lastObjective()[b]);
            line.put("seconds", seconds);
            out.println(Json.write(line));
            out.flush();
        }
    }

    static String fileSafe(String layerName) {
        return layerName.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static void createDirectories(Path d) {
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UsageException("cannot create directory " + d + ": " + e.getMessage());
        }
    }
}
