package featviz.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * Progress over a known number of items (images, iterations) on stderr, as {@link ProgressBar} shows render
 * steps: a bar redrawn in place on a terminal, a line every 10% (or 30 s) in a log, nothing when quiet.
 */
final class ItemProgress implements IntConsumer {
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean terminal;
    private final String label;
    private final String unit;
    private final int total;
    private final long start = System.nanoTime();
    private long lastLine = System.nanoTime();
    private int lastDecile = -1;

    private ItemProgress(PrintWriter err, boolean terminal, String label, String unit, int total) {
        this.err = err;
        this.terminal = terminal;
        this.label = label;
        this.unit = unit;
        this.total = total;
    }

    /** @param unit what is counted, plural ("images") */
    static IntConsumer create(PrintWriter err, boolean quiet, String label, String unit, int total) {
        return quiet || total <= 0 ? done -> { } : new ItemProgress(err, System.console() != null, label, unit, total);
    }

    @Override
    public void accept(int done) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        double eta = done == 0 ? 0 : elapsed / done * (total - done);
        if (terminal) {
            int filled = (int) Math.round((double) WIDTH * done / total);
            err.print(String.format(Locale.ROOT, "\r%s [%s%s] %d/%d %s  ETA %s ", label, "#".repeat(filled),
                    " ".repeat(WIDTH - filled), done, total, unit, ProgressBar.duration(eta)));
            if (done == total) {
                err.println();
            }
            err.flush();
            return;
        }
        int decile = done * 10 / total;
        if (decile > lastDecile || (System.nanoTime() - lastLine) / 1e9 >= 30 || done == total) {
            lastDecile = decile;
            lastLine = System.nanoTime();
            err.println(String.format(Locale.ROOT, "%s %d/%d %s (%.1f s, ETA %s)", label, done, total, unit, elapsed,
                    ProgressBar.duration(eta)));
            err.flush();
        }
    }
}
