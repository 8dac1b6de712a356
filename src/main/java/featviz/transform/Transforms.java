package featviz.transform;

import featviz.UsageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the command line's transform chain. The grammar:
 *
 * <pre>
 * spec   := "none" | item ("," item)*
 * item   := "lucid"                  Lucid's standard chain, {@link StandardTransforms#lucid}
 *         | "pad:" N [":" V]         a border of N pixels of value V (default 0.5, grey)
 *         | "jitter:" N              a random crop N pixels smaller
 *         | "scale:" A "-" B         a factor from 11 evenly spaced ones, A to B (Lucid's: scale:0.9-1.1)
 *         | "scale:" F ("/" F)*      a factor from this list
 *         | "rotate:" D              a whole number of degrees from -D to D
 *         | "rotate:" R "/" R ("/" R)*   an angle in degrees from this list (repeat one to favour it)
 *         | "maco"                   MACO's crops and noise, {@link StandardTransforms#maco}
 *         | "crop:" A "-" B [":" N]  a square box of A to B of the image's side, resized to N pixels
 *         | "noise:" S               Gaussian plus uniform noise of std S per pixel
 * </pre>
 *
 * For example {@code pad:12,jitter:8,scale:0.9-1.1,rotate:10,jitter:4} is Lucid's chain without the extra
 * zero angles. Names are case-insensitive; spaces around items are ignored. Every transform's
 * {@link Transform#describe} is an item of this grammar, so a chain's description parses back.
 */
public final class Transforms {
    private static final String EXPECTED = "expected lucid, none, pad:N, jitter:N, scale:A-B, scale:F/F/.., rotate:D"
            + ", rotate:R/R/.., maco, crop:A-B[:N] or noise:S";
    private static final int MAX_PIXELS = 4096;
    private static final int SCALE_STEPS = 11;

    private Transforms() {
    }

    /** The chain for {@code spec}, in order; empty for "none". */
    public static List<Transform> parse(String spec) {
        return parse(spec, 1);
    }

    /**
     * @param modelScale the network's training size over ImageNet's 224 pixels, which sizes the pixel amounts of
     *     {@code lucid} ({@link StandardTransforms#lucid(double)}); explicit items are taken as written
     */
    public static List<Transform> parse(String spec, double modelScale) {
        String trimmed = spec == null ? "" : spec.trim();
        if (trimmed.isEmpty()) {
            throw new UsageException("--transforms is empty; " + EXPECTED);
        }
        if (trimmed.equalsIgnoreCase("none")) {
            return List.of();
        }
        String[] items = trimmed.split(",", -1);
        List<Transform> chain = new ArrayList<>();
        for (int i = 0; i < items.length; i++) {
            String item = items[i].trim();
            if (item.isEmpty()) {
                throw new UsageException("bad --transforms '" + trimmed + "': item " + (i + 1) + " is empty");
            }
            chain.addAll(parseItem(item, modelScale));
        }
        return List.copyOf(chain);
    }

    private static List<Transform> parseItem(String item, double modelScale) {
        int colon = item.indexOf(':');
        String name = (colon < 0 ? item : item.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        String args = colon < 0 ? null : item.substring(colon + 1).trim();
        switch (name) {
            case "lucid":
                noArguments(item, args);
                return StandardTransforms.lucid(modelScale);
            case "maco":
                if (args != null) {
                    throw bad(item, "maco takes no arguments");
                }
                return StandardTransforms.maco(modelScale);
            case "crop":
                return List.of(crop(item, arguments(item, args, "crop:A-B or crop:A-B:N")));
            case "noise": {
                double std = number(item, arguments(item, args, "noise:S"));
                if (std < 0 || std > 1) {
                    throw bad(item, "noise must be from 0 to 1 (of the pixel range), not " + Numbers.format(std));
                }
                return List.of(new Noise(std));
            }
            case "none":
                throw bad(item, "none cannot be combined with other transforms");
            case "pad": {
                String[] parts = arguments(item, args, "pad:N or pad:N:V").split(":", -1);
                if (parts.length > 2) {
                    throw bad(item, "expected pad:N or pad:N:V");
                }
                int pixels = pixels(item, parts[0]);
                double value = parts.length == 2 ? number(item, parts[1]) : 0.5;
                return List.of(new Pad(pixels, value));
            }
            case "jitter":
                return List.of(new Jitter(pixels(item, arguments(item, args, "jitter:N"))));
            case "scale":
                return List.of(new RandomScale(scales(item, arguments(item, args, "scale:A-B or scale:F/F/.."))));
            case "rotate":
                return List.of(new RandomRotate(angles(item, arguments(item, args, "rotate:D or rotate:R/R/.."))));
            default:
                throw bad(item, "unknown transform '" + name + "'; " + EXPECTED);
        }
    }

    private static RandomCrop crop(String item, String args) {
        String[] parts = args.split(":", -1);
        if (parts.length > 2) {
            throw bad(item, "expected crop:A-B or crop:A-B:N");
        }
        int dash = rangeDash(parts[0]);
        double low = number(item, dash > 0 ? parts[0].substring(0, dash) : parts[0]);
        double high = dash > 0 ? number(item, parts[0].substring(dash + 1)) : low;
        if (!(low > 0) || high < low || high > 1) {
            throw bad(item, "a crop needs fractions of the image 0 < A <= B <= 1");
        }
        int out = parts.length == 2 ? pixels(item, parts[1]) : 0;
        return new RandomCrop(low, high, out);
    }

    private static double[] scales(String item, String args) {
        int dash = rangeDash(args);
        double[] factors;
        if (dash > 0) {
            double low = number(item, args.substring(0, dash));
            double high = number(item, args.substring(dash + 1));
            if (!(low > 0) || high < low) {
                throw bad(item, "a scale range needs 0 < A <= B");
            }
            factors = new double[SCALE_STEPS];
            for (int i = 0; i < SCALE_STEPS; i++) {
                factors[i] = low + (high - low) * i / (SCALE_STEPS - 1);
            }
        } else {
            factors = list(item, args);
        }
        for (double f : factors) {
            if (!(f > 0) || f > 16) {
                throw bad(item, "scale factors must be above 0 and at most 16, not " + Numbers.format(f));
            }
        }
        return factors;
    }

    /** The '-' between two numbers of a range, not a sign or an exponent's sign; -1 if none. */
    private static int rangeDash(String args) {
        for (int i = 1; i < args.length(); i++) {
            char before = Character.toLowerCase(args.charAt(i - 1));
            if (args.charAt(i) == '-' && before != 'e') {
                return i;
            }
        }
        return -1;
    }

    private static double[] angles(String item, String args) {
        if (!args.contains("/")) {
            int range = whole(item, args, 180, "rotate:D needs a whole number of degrees from 0 to 180");
            double[] angles = new double[2 * range + 1];
            for (int i = 0; i < angles.length; i++) {
                angles[i] = i - range;
            }
            return angles;
        }
        return list(item, args);
    }

    private static double[] list(String item, String args) {
        String[] parts = args.split("/", -1);
        double[] values = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = number(item, parts[i]);
        }
        return values;
    }

    private static int pixels(String item, String text) {
        return whole(item, text, MAX_PIXELS, "expected a whole number of pixels from 0 to " + MAX_PIXELS);
    }

    private static int whole(String item, String text, int max, String expectation) {
        String t = text.trim();
        try {
            int value = Integer.parseInt(t);
            if (value >= 0 && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below with the item
        }
        throw bad(item, "'" + t + "': " + expectation);
    }

    private static double number(String item, String text) {
        String t = text.trim();
        try {
            double value = Double.parseDouble(t);
            if (Double.isFinite(value) && !t.endsWith("d") && !t.endsWith("D") && !t.endsWith("f") && !t.endsWith("F")) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below with the item
        }
        throw bad(item, "'" + t + "' is not a number");
    }

    private static String arguments(String item, String args, String form) {
        if (args == null || args.isEmpty()) {
            throw bad(item, "expected " + form);
        }
        return args;
    }

    private static void noArguments(String item, String args) {
        if (args != null) {
            throw bad(item, "lucid takes no arguments");
        }
    }

    private static UsageException bad(String item, String why) {
        return new UsageException("bad --transforms item '" + item + "': " + why);
    }
}
