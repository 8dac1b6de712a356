package featviz.gallery;

import featviz.UsageException;
import featviz.io.ImageFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A grid of thumbnails, each with its label (the channel number) centred in a strip below it.
 *
 * <p>Geometry: {@code c = min(columns, n)} columns and {@code ceil(n / c)} rows of cells; a cell is
 * {@code thumb} pixels wide and {@code thumb + labelHeight(thumb)} high, with nothing between cells, so the
 * sheet is {@code c * thumb} by {@code rows * (thumb + labelHeight(thumb))} pixels. Cells fill row by row.
 * A thumbnail is the image scaled to fit {@code thumb x thumb} keeping its aspect ratio (area averaging
 * when shrinking, linear when enlarging, as {@link ImageFiles#read} does), centred in its square.
 *
 * <p>With dataset examples ({@code featviz gallery --examples}), each cell is twice as wide: to the right of the
 * thumbnail, a square of the same size holds the examples of that channel, best first, row by row in a
 * {@code g x g} grid ({@code g = ceil(sqrt(most examples of any cell))}) of {@code thumb / g} pixel thumbnails.
 *
 * <p>Deterministic: the same images, labels and sizes give the same pixels on the same Java runtime and
 * fonts (the labels are antialiased text in the logical SansSerif font, which fontconfig maps to an
 * installed font, DejaVu Sans on Debian).
 */
public final class ContactSheet {
    /** Behind thumbnails that are not square and in cells left empty. */
    public static final Color BACKGROUND = new Color(0x1e, 0x1e, 0x1e);
    public static final Color LABEL = new Color(0xe8, 0xe8, 0xe8);
    /** Where an image could not be read. */
    public static final Color UNREADABLE = new Color(0x5a, 0x1e, 0x1e);

    public static final int MIN_THUMB = 16;
    public static final int MAX_THUMB = 1024;

    /** One cell: an image file, the text under it, and dataset examples to show beside it (best first). */
    public record Cell(Path image, String label, List<Path> examples) {
        public Cell {
            examples = List.copyOf(examples);
        }

        public Cell(Path image, String label) {
            this(image, label, List.of());
        }
    }

    private ContactSheet() {
    }

    /** Height of the label strip under each thumbnail: a sixth of the thumbnail, at least 12 pixels. */
    public static int labelHeight(int thumb) {
        return Math.max(12, thumb / 6);
    }

    /** The default column count for {@code n} images: ceil(sqrt(n)), so the sheet is roughly square. */
    public static int defaultColumns(int n) {
        int columns = (int) Math.ceil(Math.sqrt(n));
        return Math.max(1, columns);
    }

    /**
     * Draws the sheet.
     *
     * @param columns at most this many columns (fewer when there are fewer images)
     * @param unreadable told about each image that could not be read (its cell is left dark red), with the reason
     * @throws IllegalArgumentException for no cells, or a thumb or column count out of range
     */
    public static BufferedImage render(List<Cell> cells, int thumb, int columns, BiConsumer<Path, String> unreadable) {
        if (cells.isEmpty()) {
            throw new IllegalArgumentException("a contact sheet needs at least one image");
        }
        if (thumb < MIN_THUMB || thumb > MAX_THUMB) {
            throw new IllegalArgumentException("thumbnail size must be " + MIN_THUMB + " to " + MAX_THUMB + ", not " + thumb);
        }
        if (columns < 1) {
            throw new IllegalArgumentException("columns must be at least 1, not " + columns);
        }
        int cols = Math.min(columns, cells.size());
        int rows = (cells.size() + cols - 1) / cols;
        int label = labelHeight(thumb);
        int cellHeight = thumb + label;
        int mostExamples = cells.stream().mapToInt(c -> c.examples().size()).max().orElse(0);
        int grid = mostExamples == 0 ? 0 : (int) Math.ceil(Math.sqrt(mostExamples));
        int cellWidth = grid == 0 ? thumb : 2 * thumb;
        long pixels = (long) cols * cellWidth * rows * cellHeight;
        if (pixels > Integer.MAX_VALUE / 4) {
            throw new UsageException("a contact sheet of " + cells.size() + " images of " + thumb + " pixels in " + cols
                    + " columns would be too large (" + ((long) cols * cellWidth) + " x " + ((long) rows * cellHeight)
                    + "): use a smaller --thumb");
        }
        BufferedImage sheet = new BufferedImage(cols * cellWidth, rows * cellHeight, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            Font font = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(9, Math.round(label * 0.7f)));
            g.setFont(font);
            FontMetrics metrics = g.getFontMetrics();
            for (int k = 0; k < cells.size(); k++) {
                Cell cell = cells.get(k);
                int x = (k % cols) * cellWidth;
                int y = (k / cols) * cellHeight;
                BufferedImage image = null;
                try {
                    image = thumbnail(cell.image(), thumb);
                } catch (UsageException e) {
                    unreadable.accept(cell.image(), e.getMessage());
                }
                if (image == null) {
                    g.setColor(UNREADABLE);
                    g.fillRect(x, y, thumb, thumb);
                } else {
                    // Same size and type: a plain pixel copy, no resampling by Java2D.
                    g.drawImage(image, x + (thumb - image.getWidth()) / 2, y + (thumb - image.getHeight()) / 2, null);
                }
                if (grid > 0) {
                    drawExamples(g, cell.examples(), x + thumb, y, thumb / grid, grid, unreadable);
                }
                drawLabel(g, metrics, cell.label(), x, y + thumb, cellWidth, label);
            }
        } finally {
            g.dispose();
        }
        return sheet;
    }

    private static void drawExamples(Graphics2D g, List<Path> examples, int x, int y, int small, int grid,
                                     BiConsumer<Path, String> unreadable) {
        if (small < 1) {
            return;
        }
        for (int e = 0; e < examples.size(); e++) {
            int ex = x + (e % grid) * small;
            int ey = y + (e / grid) * small;
            try {
                BufferedImage image = thumbnail(examples.get(e), small);
                g.drawImage(image, ex + (small - image.getWidth()) / 2, ey + (small - image.getHeight()) / 2, null);
            } catch (UsageException err) {
                unreadable.accept(examples.get(e), err.getMessage());
                g.setColor(UNREADABLE);
                g.fillRect(ex, ey, small, small);
            }
        }
    }

    private static void drawLabel(Graphics2D g, FontMetrics metrics, String text, int x, int y, int width, int height) {
        java.awt.Shape clip = g.getClip();
        g.clipRect(x, y, width, height);
        g.setColor(LABEL);
        float textWidth = (float) metrics.getStringBounds(text, g).getWidth();
        float left = x + Math.max(2, (width - textWidth) / 2);
        if (textWidth + 4 > width) {
            left = x + 2;
        }
        float baseline = y + (height - (metrics.getAscent() + metrics.getDescent())) / 2f + metrics.getAscent();
        g.drawString(text, left, baseline);
        g.setClip(clip);
    }

    /**
     * The image scaled to fit {@code size x size}, aspect ratio kept, as TYPE_INT_RGB.
     *
     * @throws UsageException naming the file when it is missing, not an image or damaged
     */
    public static BufferedImage thumbnail(Path file, int size) {
        INDArray original = ImageFiles.readOriginalSize(file);
        long height = original.size(2);
        long width = original.size(3);
        int w;
        int h;
        if (width >= height) {
            w = size;
            h = (int) Math.max(1, Math.round((double) height * size / width));
        } else {
            h = size;
            w = (int) Math.max(1, Math.round((double) width * size / height));
        }
        INDArray scaled = (w == width && h == height) ? original : ImageFiles.read(file, h, w);
        return ImageFiles.toImage(scaled);
    }
}
