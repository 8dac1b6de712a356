package featviz.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What counts as "the same image": each bound that is set must hold. {@link #EXACT} (max diff 0) is
 * the default, so any changed pixel fails.
 *
 * @param maxDiff largest allowed |A - B| of any channel, 0-255, or null for no bound
 * @param minPsnr smallest allowed PSNR in dB, or null
 * @param minSsim smallest allowed SSIM, or null
 */
public record Tolerance(Integer maxDiff, Double minPsnr, Double minSsim) {
    public static final Tolerance EXACT = new Tolerance(0, null, null);

    /** The bounds that fail, as short phrases ("max diff 3 > 0"); empty when the metrics are within tolerance. */
    public List<String> violations(ImageMetrics m) {
        List<String> out = new ArrayList<>();
        if (maxDiff != null && m.maxAbsDiff() > maxDiff) {
            out.add("max diff " + m.maxAbsDiff() + " > " + maxDiff);
        }
        if (minPsnr != null && !(m.psnr() >= minPsnr)) {
            out.add("psnr " + formatPsnr(m.psnr()) + " dB < " + plain(minPsnr));
        }
        if (minSsim != null && !(m.ssim() >= minSsim)) {
            out.add("ssim " + formatSsim(m.ssim()) + " < " + plain(minSsim));
        }
        return out;
    }

    public String describe() {
        List<String> parts = new ArrayList<>();
        if (maxDiff != null) {
            parts.add("max diff " + maxDiff);
        }
        if (minPsnr != null) {
            parts.add("min psnr " + plain(minPsnr) + " dB");
        }
        if (minSsim != null) {
            parts.add("min ssim " + plain(minSsim));
        }
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    /** "inf" for identical images, else two decimals. */
    public static String formatPsnr(double psnr) {
        return Double.isInfinite(psnr) ? "inf" : String.format(Locale.ROOT, "%.2f", psnr);
    }

    /** Six decimals: enough to see why 0.99999 failed a bound of 0.999995. */
    public static String formatSsim(double ssim) {
        return String.format(Locale.ROOT, "%.6f", ssim);
    }

    private static String plain(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value)
                : String.valueOf(value);
    }
}
