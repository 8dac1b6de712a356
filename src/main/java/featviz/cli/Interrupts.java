package featviz.cli;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * Ctrl-C during a batch render: the first finishes the batch in flight, writes it and stops (exit 130);
 * a second one aborts at once. Nothing on disk is ever half-written either way, since every file is
 * written atomically.
 */
final class Interrupts {
    static final int EXIT_INTERRUPTED = 130;

    private final AtomicBoolean requested = new AtomicBoolean();

    static Interrupts install(PrintWriter err) {
        Interrupts interrupts = new Interrupts();
        try {
            Signal.handle(new Signal("INT"), signal -> {
                if (interrupts.requested.getAndSet(true)) {
                    Runtime.getRuntime().halt(EXIT_INTERRUPTED);
                }
                err.println();
                err.println("featviz: interrupted: finishing the batch in flight (Ctrl-C again to abort now)");
                err.flush();
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // No SIGINT on this platform or it is taken: Ctrl-C then ends the process as usual.
        }
        return interrupts;
    }

    boolean requested() {
        return requested.get();
    }
}
