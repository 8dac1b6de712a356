package featviz.cli;

import featviz.model.WeightStore;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Weight download progress on stderr: a percentage redrawn on a terminal, a line per 10% otherwise; and
 * the loader's warnings (a damaged cache set aside, a checksum that is not the catalogue's), which
 * {@code --quiet} does not silence: they say the result may not be what the user thinks.
 */
final class DownloadProgress implements WeightStore.ProgressListener {
    private final PrintWriter err;
    private final boolean terminal;
    private final boolean quiet;
    private int lastDecile = -1;

    private DownloadProgress(PrintWriter err, boolean terminal, boolean quiet) {
        this.err = err;
        this.terminal = terminal;
        this.quiet = quiet;
    }

    static WeightStore.ProgressListener forTerminal(PrintWriter err, boolean quiet) {
        return new DownloadProgress(err, System.console() != null, quiet);
    }

    @Override
    public void warning(String line) {
        err.println("featviz: " + line);
        err.flush();
    }

    @Override
    public void progress(long done, long total) {
        if (quiet) {
            return;
        }
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
