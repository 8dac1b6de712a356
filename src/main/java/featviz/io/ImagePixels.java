package featviz.io;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.awt.Transparency;
import java.util.Arrays;

/**
 * Converts between BufferedImages of any colour model and planes in [0, 1]: grey, grey+alpha, sRGB or
 * sRGB+alpha (1 to 4 channels).
 *
 * <p>Reading: samples of sRGB and grey component images are scaled straight to [0, 1] (keeping
 * 16-bit precision); palette and packed sRGB images go through {@code getRGB}; anything else
 * (ICC profiles, CMYK, linear RGB) is colour-converted to sRGB first. What comes out is RGB and alpha
 * ({@link Planes#as} makes the channels asked for: for RGB and grey, transparent pixels are composited
 * over {@link #BACKGROUND}; grey is the luma).
 *
 * <p>Writing: each value is clipped to [0, 1] and becomes {@code round(v * 255)}, so for 8-bit
 * images of the same layout reading and writing are exact inverses. One channel is written as an 8-bit
 * grey image, two as grey+alpha, three as RGB, four as RGBA (not premultiplied).
 */
final class ImagePixels {
    /**
     * What transparency is composited over: mid-grey. 0.5 is the centre of the input range, so a
     * transparent area starts out neutral rather than as the brightest colour there is (white).
     */
    static final float BACKGROUND = 0.5f;

    private static final ColorSpace JAVA_GREY = ColorSpace.getInstance(ColorSpace.CS_GRAY);

    private ImagePixels() {
    }

    /** The image as {@code channels} planes (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA). */
    static Planes toPlanes(BufferedImage image, int channels) {
        return rgba(image).as(channels, BACKGROUND);
    }

    /** RGB and alpha (1 where the image has none), colour not composited. */
    private static Planes rgba(BufferedImage image) {
        ColorModel model = image.getColorModel();
        if (holdsPlainSamples(model)) {
            return fromSamples(image);
        }
        if (model.getColorSpace().isCS_sRGB()) {
            return fromArgb(image);
        }
        return fromArgb(convertedToSrgb(image));
    }

    static BufferedImage toImage(Planes planes) {
        int width = planes.width();
        int height = planes.height();
        int area = height * width;
        float[] values = planes.values();
        if (planes.channels() == 3) {
            int[] rgb = new int[area];
            for (int i = 0; i < area; i++) {
                rgb[i] = quantise(values[i]) << 16 | quantise(values[area + i]) << 8 | quantise(values[2 * area + i]);
            }
            BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            image.setRGB(0, 0, width, height, rgb, 0, width);
            return image;
        }
        // grey, grey+alpha and RGBA as 8-bit component images: the PNG writer keeps their layout (colour
        // types 0, 4 and 6), so nothing is lost and a grey render is a grey file
        int channels = planes.channels();
        boolean alpha = channels == 2 || channels == 4;
        ColorSpace space = channels <= 2 ? JAVA_GREY : ColorSpace.getInstance(ColorSpace.CS_sRGB);
        ComponentColorModel model = new ComponentColorModel(space, alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        WritableRaster raster = model.createCompatibleWritableRaster(width, height);
        int[] samples = new int[area];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < area; i++) {
                samples[i] = quantise(values[c * area + i]);
            }
            raster.setSamples(0, 0, width, height, c, samples);
        }
        return new BufferedImage(model, raster, false, null);
    }

    /** Clipped to [0, 1], NaN as 0, then round(v * 255) in float arithmetic, the same on every JVM. */
    static int quantise(float value) {
        if (!(value > 0f)) {
            return 0;
        }
        if (value >= 1f) {
            return 255;
        }
        return Math.round(value * 255f);
    }

    /**
     * Component images in sRGB or in Java's grey space, whose samples are the encoded values. Java calls
     * that grey space linear and {@code getRGB} would brighten it (128 becomes 188), but PNG and JPEG
     * readers put gamma-encoded grey in it, so its samples are taken as they are.
     */
    private static boolean holdsPlainSamples(ColorModel model) {
        if (!(model instanceof ComponentColorModel) || model.isAlphaPremultiplied()) {
            return false;
        }
        ColorSpace space = model.getColorSpace();
        if (!space.isCS_sRGB() && space != JAVA_GREY) {
            return false;
        }
        int type = model.getTransferType();
        return type == DataBuffer.TYPE_BYTE || type == DataBuffer.TYPE_USHORT || type == DataBuffer.TYPE_INT
                || type == DataBuffer.TYPE_FLOAT || type == DataBuffer.TYPE_DOUBLE;
    }

    private static Planes fromSamples(BufferedImage image) {
        ColorModel model = image.getColorModel();
        Raster raster = image.getRaster();
        int width = image.getWidth();
        int height = image.getHeight();
        int area = width * height;
        int colourBands = model.getNumColorComponents();
        float[] values = new float[4 * area];
        float[] row = new float[width];
        for (int y = 0; y < height; y++) {
            for (int c = 0; c < 3; c++) {
                readNormalised(raster, model, colourBands == 1 ? 0 : c, y, row);
                System.arraycopy(row, 0, values, c * area + y * width, width);
            }
            if (model.hasAlpha()) {
                readNormalised(raster, model, colourBands, y, row);
                System.arraycopy(row, 0, values, 3 * area + y * width, width);
            } else {
                Arrays.fill(values, 3 * area + y * width, 3 * area + (y + 1) * width, 1f);
            }
        }
        return new Planes(4, height, width, values);
    }

    /** One row of one band as values in [0, 1]: integer samples over their maximum, floats clipped. */
    private static void readNormalised(Raster raster, ColorModel model, int band, int y, float[] row) {
        raster.getSamples(0, y, row.length, 1, band, row);
        int type = model.getTransferType();
        if (type == DataBuffer.TYPE_FLOAT || type == DataBuffer.TYPE_DOUBLE) {
            for (int x = 0; x < row.length; x++) {
                row[x] = row[x] > 0f ? Math.min(row[x], 1f) : 0f;
            }
        } else {
            float maximum = (float) ((1L << model.getComponentSize(band)) - 1);
            for (int x = 0; x < row.length; x++) {
                row[x] = row[x] / maximum;
            }
        }
    }

    private static Planes fromArgb(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        int area = width * height;
        boolean hasAlpha = image.getColorModel().hasAlpha();
        int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
        float[] values = new float[4 * area];
        for (int i = 0; i < area; i++) {
            int pixel = argb[i];
            values[3 * area + i] = hasAlpha ? (pixel >>> 24) / 255f : 1f;
            for (int c = 0; c < 3; c++) {
                values[c * area + i] = (pixel >>> (16 - 8 * c) & 0xff) / 255f;
            }
        }
        return new Planes(4, height, width, values);
    }

    /** Colour management through the JDK's CMM, without rendering hints: the same result every run. */
    private static BufferedImage convertedToSrgb(BufferedImage image) {
        int type = image.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
        BufferedImage srgb = new BufferedImage(image.getWidth(), image.getHeight(), type);
        return new ColorConvertOp(null).filter(image, srgb);
    }
}
