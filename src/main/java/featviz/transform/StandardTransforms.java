package featviz.transform;

import java.util.List;

/** Ready-made transform chains. */
public final class StandardTransforms {
    private StandardTransforms() {
    }

    /**
     * Lucid's {@code standard_transforms}: pad 12 with grey, jitter 8, scale by one of 1 + (i - 5) / 50 for
     * i = 0..10, rotate by one of the whole degrees -10..10 or five extra 0s (6 of the 26 draws leave
     * the angle at 0), jitter 4. A 224 px image reaches the network at 212 to 260 px.
     */
    public static List<Transform> lucid() {
        return lucid(1);
    }

    /**
     * Lucid's chain for a network trained at {@code scale} times ImageNet's 224 pixels: its pad and jitters are
     * in ImageNet pixels, sized to a VGG's features, so a 28-pixel Fashion-MNIST network (scale 1/8) gets pad
     * 2 and jitters of 1. Jittering such a network by 8 pixels moved every feature by a third of the image:
     * its channels' renders came out weaker than real images. Scales and angles are relative and stay.
     */
    public static List<Transform> lucid(double scale) {
        if (scale >= 1) {
            return lucidChain(12, 8, 4);
        }
        return lucidChain((int) Math.round(12 * scale), Math.max(1, (int) Math.round(8 * scale)),
                Math.max(1, (int) Math.round(4 * scale)));
    }

    private static List<Transform> lucidChain(int pad, int jitter, int finalJitter) {
        double[] scales = new double[11];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = 1 + (i - 5) / 50.0;
        }
        double[] angles = new double[21 + 5];
        for (int i = 0; i < 21; i++) {
            angles[i] = i - 10;
        }
        return List.of(new Pad(pad, 0.5), new Jitter(jitter), new RandomScale(scales), new RandomRotate(angles),
                new Jitter(finalJitter));
    }

    /** MACO preset's crop box, as fractions of the image's side (chosen by measurement: README, presets). */
    static final double MACO_CROP_MIN = 0.5;
    static final double MACO_CROP_MAX = 1.0;
    /** MACO preset's noise std, in units of the [0, 1] pixel range. */
    static final double MACO_NOISE = 0.04;

    /**
     * MACO's per-step robustness: a random square crop of {@value #MACO_CROP_MIN} to {@value #MACO_CROP_MAX} of the
     * image's side, resized to the size the network was trained at ({@code 224 * scale} pixels), then noise of std
     * {@value #MACO_NOISE}. MACO renders images larger than the network's input and shows it parts of them.
     */
    public static List<Transform> maco(double scale) {
        int out = Math.max(1, (int) Math.round(224 * scale));
        return List.of(new RandomCrop(MACO_CROP_MIN, MACO_CROP_MAX, out), new Noise(MACO_NOISE));
    }
}
