package featviz.cli;

import featviz.UsageException;
import java.util.Locale;

/**
 * Named sets of defaults for how an image is optimised; explicit options override them.
 * <ul>
 *   <li>{@code lucid} (the default): Fourier parameterization with decorrelated colour, Lucid's standard
 *   transforms, Adam at 0.05, 512 steps. Lucid, Lucent and captum.optim all default to this because it is
 *   what makes the pictures interpretable: the 1/f scaling and the transforms suppress the high-frequency
 *   patterns plain pixel ascent produces, which a network responds to but a person cannot read.</li>
 *   <li>{@code tutorial}: the original blog post's algorithm: pixels, normalized ascent at 0.05 (0.1 on a
 *   [-1, 1] scale), clipping, no transforms, 128 steps. Fast, and noisy.</li>
 *   <li>{@code maco}: MACO (Fel et al. 2023): the image's Fourier magnitude fixed to natural images' and only its
 *   phase optimised, random crops and noise each step, NAdam. Defaults chosen by measurement (README, presets).</li>
 * </ul>
 * A preset does not know the model: its colour decorrelation applies to 3-channel (RGB) models only and is
 * left out for others ({@link RenderOptions#decorrelate()}).
 */
enum Preset {
    LUCID("fft", true, "lucid", "adam", 0.05, 512),
    TUTORIAL("pixel", false, "none", "normalized", 0.05, 128),
    MACO("maco", true, "maco", "nadam", 1.0, 256);

    final String param;
    final boolean decorrelate;
    final String transforms;
    final String optimizer;
    final double stepSize;
    final int steps;

    Preset(String param, boolean decorrelate, String transforms, String optimizer, double stepSize, int steps) {
        this.param = param;
        this.decorrelate = decorrelate;
        this.transforms = transforms;
        this.optimizer = optimizer;
        this.stepSize = stepSize;
        this.steps = steps;
    }

    static Preset parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("unknown --preset '" + name + "': expected lucid, tutorial or maco");
        }
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
