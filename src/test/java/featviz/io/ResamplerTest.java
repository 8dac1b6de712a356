package featviz.io;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class ResamplerTest {
    @Test
    void shrinkingAveragesTheCoveredArea() {
        // One row of 6 pixels, the same in all three channels, shrunk to 4: each output covers 1.5 pixels.
        float[] row = {0, 1, 2, 3, 4, 5};
        Planes resized = Resampler.resize(greyRow(row), 1, 4);

        float[] expected = {(0 + 0.5f) / 1.5f, (0.5f + 2) / 1.5f, (3 + 2) / 1.5f, (2 + 5) / 1.5f};
        for (int c = 0; c < 3; c++) {
            for (int x = 0; x < 4; x++) {
                assertEquals(expected[x], resized.values()[c * 4 + x], 1e-6f, "channel " + c + ", x=" + x);
            }
        }
    }

    @Test
    void shrinkingAFineCheckerboardGivesItsMean() {
        float[] grey = new float[8 * 8];
        for (int i = 0; i < grey.length; i++) {
            grey[i] = (i / 8 + i % 8) % 2;
        }
        Planes resized = Resampler.resize(grey(8, 8, grey), 2, 2);

        for (float value : resized.values()) {
            assertEquals(0.5f, value, 1e-6f);
        }
    }

    @Test
    void enlargingInterpolatesBetweenPixelCentres() {
        Planes resized = Resampler.resize(greyRow(new float[] {0, 1}), 1, 4);

        // Output centres fall at source positions -0.25, 0.25, 0.75 and 1.25; the outer ones clamp to the edge.
        assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1}, Arrays.copyOf(resized.values(), 4), 1e-6f);
    }

    @Test
    void sameSizeIsUnchanged() {
        Planes planes = greyRow(new float[] {0.1f, 0.7f});

        assertSame(planes, Resampler.resize(planes, 1, 2));
    }

    @Test
    void eachAxisResizesOnItsOwn() {
        float[] tall = {0, 0, 1, 1};
        Planes resized = Resampler.resize(grey(4, 1, tall), 2, 3);

        assertArrayEquals(new float[] {0, 0, 0, 1, 1, 1}, Arrays.copyOf(resized.values(), 6), 1e-6f);
    }

    private static Planes greyRow(float[] row) {
        return grey(1, row.length, row);
    }

    private static Planes grey(int height, int width, float[] plane) {
        float[] values = new float[3 * plane.length];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(plane, 0, values, c * plane.length, plane.length);
        }
        return new Planes(height, width, values);
    }
}
