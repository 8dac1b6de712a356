package featviz.cli;

import featviz.UsageException;
import featviz.io.ImageFiles;
import featviz.model.VisionModel;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one rule for the square image size a command runs a model at, when --size does not say (--size always
 * wins). A model that fixes its size (the catalogue's, a file whose dense head or declared input pins one) is run
 * at it. A free-size model (fully convolutional, or ending in a global pooling) gives no size to fall back on, and
 * guessing one is how a 28 px Fashion-MNIST picture came to be classified at 224 px:
 * <ul>
 *   <li>commands that read images run it at the images' own size when they all share one, square;</li>
 *   <li>commands that make images (maximize, layer jobs, bench) refuse, since no default suits both a 28 px
 *       and a 224 px network and a note on stderr is lost under --quiet, which is how scripts run them.</li>
 * </ul>
 * Either way the refusal is one line naming --size.
 */
final class ImageSize {
    private ImageSize() {
    }

    /**
     * The size to read {@code images} at. Files that cannot be read are passed over here: the command reports
     * them where it reads them (a directory's are skipped with a warning, a named image's stop it); when none
     * can be read, the first one's error is the answer.
     *
     * @throws UsageException when the model's size is free and the readable images are not all of one square size
     */
    static int forImages(Integer size, VisionModel model, Collection<Path> images) {
        if (size != null) {
            return size;
        }
        if (model.fixedSize().isPresent()) {
            return model.fixedSize().getAsInt();
        }
        Set<List<Integer>> sizes = new LinkedHashSet<>(); // {width, height}, in the order first met
        UsageException firstUnreadable = null;
        for (Path image : images) {
            int[] wh;
            try {
                wh = ImageFiles.dimensions(image);
            } catch (UsageException unreadable) {
                firstUnreadable = firstUnreadable == null ? unreadable : firstUnreadable;
                continue;
            }
            sizes.add(List.of(wh[0], wh[1]));
            if (sizes.size() > 2) {
                break; // enough to say they differ
            }
        }
        if (sizes.size() == 1 && sizes.iterator().next().get(0).equals(sizes.iterator().next().get(1))) {
            return sizes.iterator().next().get(0);
        }
        if (sizes.isEmpty() && firstUnreadable != null) {
            throw firstUnreadable; // nothing could be run at any size: say why
        }
        String why = sizes.isEmpty() ? "there are no images to take it from"
                : sizes.size() == 1 ? "the images are " + text(sizes) + ", not square"
                : "the images come in more than one size (" + text(sizes) + (sizes.size() > 2 ? ", ..." : "") + ")";
        throw new UsageException(free(model) + " and " + why + ": pass --size PX");
    }

    /** The size to render at: --size, else the model's render size when it fixes its input size. */
    static int forRender(Integer size, VisionModel model) {
        if (size != null) {
            return size;
        }
        if (model.fixedSize().isPresent()) {
            return model.renderSize();
        }
        throw new UsageException(free(model) + ", so the size to render at is yours to choose: pass --size PX"
                + " (the size it was trained at, say)");
    }

    private static String free(VisionModel model) {
        return model.name() + "'s input size is free (nothing in the model fixes it)";
    }

    private static String text(Set<List<Integer>> sizes) {
        return sizes.stream().limit(2).map(s -> s.get(0) + "x" + s.get(1)).collect(Collectors.joining(", "));
    }
}
