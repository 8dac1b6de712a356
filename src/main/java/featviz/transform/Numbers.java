package featviz.transform;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Numbers written the way {@link Transforms#parse} reads them, so a description can be parsed back. */
final class Numbers {
    private Numbers() {
    }

    static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    static String list(double[] values) {
        return Arrays.stream(values).mapToObj(Numbers::format).collect(Collectors.joining("/"));
    }
}
