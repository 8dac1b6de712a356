package featviz.cli;

import featviz.UsageException;
import featviz.model.ConvolutionPrecision;
import featviz.model.ImageNetwork;
import featviz.model.op.Precision;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --precision fp32|bf16}, for the commands that run gradient-ascent steps (maximize, dream, bench). */
public final class PrecisionOption {
    /** The settings key; recorded only for bf16, so that fp32 settings (and manifests' settings ids) stay as they were. */
    static final String KEY = "precision";

    @Option(names = "--precision", paramLabel = "fp32|bf16", defaultValue = "fp32",
            description = "Number format of the convolutions. bf16: oneDNN's bfloat16 convolutions (inputs and "
                + "weights rounded to bf16, sums in float), about twice as fast, on CPUs with AVX512_BF16 or AMX "
                + "only; the image, objective and optimiser stay float. Images differ slightly from fp32's. "
                + "Default: ${DEFAULT-VALUE}.")
    String precision;

    Precision get() {
        Precision p = Precision.parse(precision);
        if (p == null) {
            throw new UsageException("unknown --precision '" + precision + "': expected fp32 or bf16");
        }
        return p;
    }

    /** Checks the option, and that this machine can run it, before any work (a model download, say). */
    void validate() {
        String why = get().unavailableReason();
        if (why != null) {
            throw new UsageException(ConvolutionPrecision.refusal(get(), why));
        }
    }

    /** Puts the network's convolutions into the chosen precision, or refuses in one line where it cannot run. */
    void applyTo(ImageNetwork network) {
        if (get() != Precision.FP32) {
            ConvolutionPrecision.apply(network, get());
        }
    }

    /** Adds the precision to a render's settings when it is not the default. */
    void addTo(Map<String, Object> settings) {
        if (get() != Precision.FP32) {
            settings.put(KEY, get().label());
        }
    }

    /**
     * Adds {@code --precision P} to the options that render an image again ({@code --like}) when it is not the
     * default: fp32 images keep the bytes they had before this option existed.
     */
    void addTo(List<String> args) {
        if (get() != Precision.FP32) {
            args.addAll(List.of("--precision", get().label()));
        }
    }
}
