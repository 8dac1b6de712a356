package featviz.cli;

import featviz.UsageException;
import picocli.CommandLine.Option;

/**
 * {@code --redirect-relu N}: Lucid's redirected ReLU gradient for the first N steps
 * ({@link featviz.model.op.ReluRedirect}), so that units no start image activates still get a gradient.
 * Lucid's {@code render_vis} has it on by default for its first 16 steps (its check is {@code global_step > 16},
 * so 17 evaluations). The default per preset follows the measurement in the README ("No grey units").
 */
public final class RedirectOption {
    /** Lucid's number of steps. */
    static final int LUCID_STEPS = 16;

    @Option(names = "--redirect-relu", paramLabel = "N",
            description = "For the first N steps, a ReLU that would block all of an image's gradient passes the part " +
                "that pushes its input up (Lucid's redirected ReLU), so dead units come alive; 0 = off. " +
                "Default: 16 (lucid and tutorial presets).")
    Integer steps;

    /** The steps for this preset: the option's, or the preset's measured default. */
    int steps(Preset preset) {
        if (steps != null) {
            if (steps < 0) {
                throw new UsageException("--redirect-relu must be 0 (off) or a number of steps, not " + steps);
            }
            return steps;
        }
        return defaultSteps(preset);
    }

    static int defaultSteps(Preset preset) {
        return LUCID_STEPS;
    }
}
