package featviz.cli;

import featviz.model.WeightStore;
import java.io.PrintWriter;
import java.util.Locale;

/** Weight download progress on stderr: a percentage redrawn on a terminal, a line per 10% otherwise. */
final class DownloadProgress implements WeightStore.ProgressListener {
    private final PrintWriter err;
    private final boolean terminal;
    private int lastDecile = -1;

    private DownloadProgress(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    static WeightStore.ProgressListener forTerminal(PrintWriter err, boolean quiet) {
        return quiet ? WeightStore.ProgressListener.NONE : new DownloadProgress(err, System.console() != null);
    }

    @Override
    public void progress(long done, long total) {
        String mb = String.format(Locale.ROOT, "%.0f MB", done / 1e6);
        String of = total > 0 ? String.format(Locale.ROOT, " of %.0f MB (%d%%)", total / 1e6, done * 100 / total) : "";
        if (terminal) {
            err.print("\rdownloading weights: " + mb + of + "   ");
            if (total > 0 && done >= total) {
                err.println();
            }
            err.flush();
            return;
        }
        int decile = total > 0 ? (int) (done * 10 / total) : (int) (done / 50_000_000);
        if (decile != lastDecile) {
            lastDecile = decile;
            err.println("downloading weights: " + mb + of);
            err.flush();
        }
    }
}
