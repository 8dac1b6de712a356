package featviz.analysis;

import java.util.List;

/**
 * Class names for a classifier's outputs, by output index. A stand-in for the labels the catalogue will
 * carry: whatever list a model brings is passed in here; a model without one gets its index numbers.
 */
public record Labels(List<String> names) {
    public Labels {
        names = List.copyOf(names);
    }

    /** No names: every class is shown as its index. */
    public static Labels none() {
        return new Labels(List.of());
    }

    /** A model's labels, or {@link #none()} when it has none (null or empty). */
    public static Labels of(List<String> names) {
        return names == null ? none() : new Labels(names);
    }

    /** The name of class {@code index}, or the index itself when there is no name for it. */
    public String name(int index) {
        return index < names.size() ? names.get(index) : Integer.toString(index);
    }
}
