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
        double[] scales = new double[11];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = 1 + (i - 5) / 50.0;
        }
        double[] angles = new double[21 + 5];
        for (int i = 0; i < 21; i++) {
            angles[i] = i - 10;
        }
        return List.of(new Pad(12, 0.5), new Jitter(8), new RandomScale(scales), new RandomRotate(angles),
                new Jitter(4));
    }
}
