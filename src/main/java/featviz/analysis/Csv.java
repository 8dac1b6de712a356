package featviz.analysis;

/** The two things CSV output needs: quoting a text field, and printing a number exactly and compactly. */
public final class Csv {
    private Csv() {
    }

    /** RFC 4180: quoted (and inner quotes doubled) when it contains a comma, quote or line break. */
    public static String field(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** A float-precision value as its shortest round-tripping decimal; NaN as an empty field. */
    public static String number(double v) {
        return Double.isNaN(v) ? "" : Float.toString((float) v);
    }
}
