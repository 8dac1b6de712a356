package featviz.compare;

import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of comparing one file of A with its counterpart in B.
 *
 * @param name relative path (directories) or A's file name (two files)
 * @param a the file in A, null when {@link Status#EXTRA}
 * @param b the file in B, null when {@link Status#MISSING}
 * @param metrics null unless both images were read and are the same size
 * @param sameBytes whether the two files are byte for byte identical; null when one is absent
 * @param reasons why it did not pass (bounds broken, sizes, absent file, read error); empty when it passed
 * @param diff the difference image written, or null
 */
public record FileResult(String name, Path a, Path b, Status status, ImageMetrics metrics, Boolean sameBytes,
                         List<String> reasons, Path diff) {

    public enum Status {
        /** Within tolerance. */
        PASS,
        /** Outside tolerance, or the sizes differ. */
        FAIL,
        /** In A (the reference) but not in B. */
        MISSING,
        /** In B but not in A (the reference). */
        EXTRA,
        /** A file could not be read: not a failed comparison but bad input. */
        ERROR
    }

    public boolean passed() {
        return status == Status.PASS;
    }

    public String reasonText() {
        return String.join("; ", reasons);
    }
}
