package featviz.cli;

import featviz.render.RenderListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of the render loop on stderr: a bar redrawn in place with the ETA and the current objective
 * on a terminal; plain lines (every 10% or 30 s) when stderr is a file or a pipe, which log files and CI
 * read better; nothing when quiet.
 */
final class ProgressBar implements RenderListener {
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean terminal;
    private final String label;
    private final long start = System.nanoTime();
    private long lastLine = System.nanoTime();
    private int lastDecile = 0;

    ProgressBar(PrintWriter err, boolean terminal, String label) {
        this.err = err;
        this.terminal = terminal;
        this.label = label;
    }

    static RenderListener create(PrintWriter err, boolean quiet, String label) {
        return quiet ? RenderListener.NONE : new ProgressBar(err, System.console() != null, label);
    }

    @Override
    public void stepDone(int step, int total, double objective) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        double eta = elapsed / step * (total - step);
        if (terminal) {
            int filled = (int) Math.round((double) WIDTH * step / total);
            err.print(String.format(Locale.ROOT, "\r%s [%s%s] %d/%d  objective %.4g  %.2f s/step  ETA %s ",
                    label, "#".repeat(filled), " ".repeat(WIDTH - filled), step, total, objective, elapsed / step,
                    duration(eta)));
            if (step == total) {
                err.println();
            }
            err.flush();
            return;
        }
        int decile = step * 10 / total;
        boolean due = decile > lastDecile || (System.nanoTime() - lastLine) / 1e9 >= 30 || step == 1;
        if (due || step == total) {
            lastDecile = decile;
            lastLine = System.nanoTime();
            err.println(String.format(Locale.ROOT, "%s step %d/%d objective %.6g (%.2f s/step, ETA %s)",
                    label, step, total, objective, elapsed / step, duration(eta)));
            err.flush();
        }
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60);
        }
        return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
