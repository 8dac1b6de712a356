package featviz.job;

import featviz.UsageException;
import featviz.job.Manifest;
import featviz.io.AtomicFiles;
import featviz.render.RenderResult;
import featviz.render.Renderer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A whole-layer job: renders many channels of one layer into a directory, {@code DIR/<model>/<layer>/<channel>.png}
 * and {@code DIR/manifest.json}. Channels already in the manifest with the same settings are skipped, so a
 * rerun resumes; every file is written atomically and the manifest after every batch, so a run killed at
 * any moment leaves nothing half-written; a stop request ({@link Reporter#stopRequested}) finishes the batch
 * in flight. How the job talks to its user (progress, JSON lines, Ctrl-C) is the {@link Reporter}'s business.
 */
public final class LayerJob {
    /** Exit status of a job stopped on request (the shell's for SIGINT). */
    public static final int EXIT_STOPPED = 130;

    /** What a job tells its user, and how the user asks it to stop. */
    public interface Reporter {
        /** Before the first render: how many of the selected channels are done and how many are left. */
        void planned(int mine, int selected, String shard, int alreadyDone, int todo);

        /** After each channel's image and manifest entry are written: the entry (objective, flatness, scores) and the image. */
        void rendered(Manifest.Render render, Path file);

        /** After each batch: {@code done} of {@code todo} channels so far; {@code objective} of its last channel. */
        void progress(int done, int todo, double objective);

        /** Checked before each batch. */
        boolean stopRequested();

        /** At the end; {@code stopped} when a stop request ended the job early. */
        void finished(int done, int todo, Path dir, boolean stopped);
    }

    /** Quality scores of a channel's render, from its written image (as a user gets it). */
    @FunctionalInterface
    public interface Scorer {
        Manifest.Quality score(long channel, Path image);
    }

    private final String model;
    private final String layer;
    private final Path dir;
    private final int batch;
    private Scorer scorer;
    private ImageOutput output = ImageOutput.PLAIN;

    public LayerJob(String model, String layer, Path dir, int batch) {
        this.model = model;
        this.layer = layer;
        this.dir = dir;
        this.batch = batch;
    }

    /** How each channel's image is written (alpha, heat map); the renderers must then keep the transparency. */
    public LayerJob output(ImageOutput how) {
        this.output = how;
        return this;
    }

    /**
     * Scores every render of the run, and the renders of earlier runs in the manifest that have no scores yet
     * (so adding {@code --examples} to a finished job's command scores it without rendering again).
     */
    public LayerJob withScorer(Scorer newScorer) {
        this.scorer = newScorer;
        return this;
    }

    /**
     * @param mine the channels of this run (its shard)
     * @param selectedCount how many channels all shards together render
     * @param shard the shard's name, null for a whole run
     * @param settings everything that decides the pixels: equal settings are what lets a rerun skip a channel
     * @param renderers a renderer for a batch of channels, image b for channel b
     * @param provenance the PNG text chunks of a channel's image
     * @return 0, or {@link #EXIT_STOPPED}
     */
    public int run(List<Long> mine, int selectedCount, String shard, Map<String, Object> settings,
                   Function<List<Long>, Renderer> renderers, int steps, Function<Long, Map<String, String>> provenance,
                   Reporter reporter) {
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
            } else if (scorer != null && done.get().quality() == null) {
                manifest.add(done.get().withQuality(scorer.score(c, done.get().path(dir))));
            }
        }
        reporter.planned(mine.size(), selectedCount, shard, mine.size() - todo.size(), todo.size());
        int done = 0;
        for (int from = 0; from < todo.size(); from += batch) {
            if (reporter.stopRequested()) {
                reporter.finished(done, todo.size(), dir, true);
                return EXIT_STOPPED;
            }
            List<Long> chans = todo.subList(from, Math.min(todo.size(), from + batch));
            long t0 = System.nanoTime();
            RenderResult result = renderers.apply(chans).run(steps, featviz.render.RenderListener.NONE);
            double seconds = (System.nanoTime() - t0) / 1e9 / chans.size();
            for (int b = 0; b < chans.size(); b++) {
                write(manifest, settingsId, result, b, chans.get(b), seconds, provenance, reporter);
            }
            // The manifest follows every batch, so a run killed at any moment resumes where it was.
            manifest.write(dir);
            done += chans.size();
            reporter.progress(done, todo.size(), result.lastObjective()[chans.size() - 1]);
        }
        manifest.write(dir);
        reporter.finished(done, todo.size(), dir, false);
        return 0;
    }

    private void write(Manifest manifest, String settingsId, RenderResult result, int b, long channel, double seconds,
                       Function<Long, Map<String, String>> provenance, Reporter reporter) {
        String file = model + "/" + fileSafe(layer) + "/" + String.format(Locale.ROOT, "%04d.png", channel);
        Path target = dir.resolve(file);
        createDirectories(target.getParent());
        Path heat = output.write(result, b, target, null, provenance.apply(channel));
        String heatFile = heat == null ? null : file.substring(0, file.lastIndexOf('/') + 1) + heat.getFileName();
        Manifest.Quality quality = scorer == null ? null : scorer.score(channel, target);
        Manifest.Render render = new Manifest.Render(model, layer, (int) channel, file, result.lastObjective()[b], seconds,
                settingsId, result.flat(b), heatFile, quality);
        manifest.add(render);
        reporter.rendered(render, target);
    }

    /** A layer name as a file name: characters other than letters, digits, . _ - become _. */
    public static String fileSafe(String layerName) {
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
