package featviz.cli;

import featviz.job.LayerJob;
import featviz.job.Manifest;
import featviz.render.RenderListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A whole-layer job on the terminal: a status line and a progress bar on stderr (nothing with --quiet), one
 * JSON line per channel on stdout with --json, and Ctrl-C as the job's stop request ({@link Interrupts}).
 */
final class LayerJobReporter implements LayerJob.Reporter {
    private final String model;
    private final String layer;
    private final boolean json;
    private final boolean quiet;
    private final PrintWriter err;
    private final PrintWriter out;
    private final RenderListener bar;
    private Interrupts interrupts;

    LayerJobReporter(String model, String layer, boolean json, boolean quiet, PrintWriter err, PrintWriter out) {
        this.model = model;
        this.layer = layer;
        this.json = json;
        this.quiet = quiet;
        this.err = err;
        this.out = out;
        this.bar = ProgressBar.create(err, quiet, model + " " + layer + " channels");
    }

    @Override
    public void planned(int mine, int selected, String shard, int alreadyDone, int todo) {
        if (!quiet) {
            err.println(String.format(Locale.ROOT, "%s %s: %d of %d channels in this %s, %d already done, %d to render",
                    model, layer, mine, selected, shard == null ? "run" : "shard " + shard, alreadyDone, todo));
            err.flush();
        }
        interrupts = Interrupts.install(err);
    }

    @Override
    public void rendered(Manifest.Render render, Path file) {
        if (json) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("channel", render.channel());
            line.put("file", file.toString());
            line.put("objective", render.objective());
            line.put("seconds", render.seconds());
            if (render.flat()) {
                line.put("flat", true);
            }
            if (render.quality() != null) {
                line.put("quality", render.quality().toMap());
            }
            out.println(Json.write(line));
            out.flush();
        }
    }

    @Override
    public void progress(int done, int todo, double objective) {
        bar.stepDone(done, todo, objective);
    }

    @Override
    public boolean stopRequested() {
        return interrupts != null && interrupts.requested();
    }

    @Override
    public void finished(int done, int todo, Path dir, boolean stopped) {
        if (stopped) {
            // Said even with --quiet: the exit status alone does not tell a script what is left.
            err.println("featviz: stopped after " + done + " of " + todo + " channels; run the same command again to resume");
        } else if (!quiet) {
            err.println("rendered " + done + " channels into " + dir);
        }
        err.flush();
    }
}
