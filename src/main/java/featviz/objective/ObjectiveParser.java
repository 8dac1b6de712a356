package featviz.objective;

import featviz.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code --objective} expression language into an {@link Objective}.
 *
 * <pre>
 * expr   := term (('+' | '-') term)*
 * term   := (number '*')* factor ('*' number)*
 * factor := '-' term | '(' expr ')' | atom
 * atom   := LAYER ':' INDEX                              mean of one channel    block4_conv1:47
 *         | 'neuron(' LAYER ':' INDEX [',' X ',' Y] ')'   one position (default: the centre)
 *         | 'deepdream(' LAYER ')'                       mean of squared activations
 *         | 'direction(' LAYER ',' VECTOR ')'            mean of v.a over positions
 *         | 'cosine(' LAYER ',' VECTOR ')'               mean of cos(v, a) over positions
 *         | 'class(' LAYER ':' INDEX ')'                 one unit of a dense layer (a class logit)
 *         | 'class(' LAYER ':' LABEL ')'                 the same, the unit named by the model's labels
 *         | 'class(' (INDEX | LABEL) ')'                 the same on the model's output layer
 *         | 'diversity(' LAYER ')'                       minus the Gram similarity between the batch's images
 *         | 'tv' | 'l1' | 'l2'                           image penalties (negative: add them, e.g. + 0.05*tv)
 * VECTOR := '[' number (',' number)* ']'                 one number per channel
 *         | '@' PATH                                     a file of numbers separated by spaces, commas or newlines
 * </pre>
 *
 * LAYER is a name as the user sees it (letters, digits, '_', '-', '.', '/'), which the {@link LayerResolver}
 * turns into a vertex; INDEX, X and Y are whole numbers from 0; numbers are decimals such as 2, 0.05, .5 or
 * 1e-3 (signed inside a VECTOR). A LABEL is a class name, everything up to the ')', matched forgivingly
 * (case, spaces, '_', '-', '/' and "'" do not count: {@code class(ankle_boot)} finds "Ankle boot"). Spaces may go between any two tokens. {@code -} binds tighter than
 * {@code +}/{@code -} between terms, so {@code -a:1 + b:2} is {@code (-a:1) + b:2}. Because '-' may occur in
 * layer names, {@code tv-x:3} reads as the layer {@code tv-x}: write {@code tv - x:3}. A PATH ends at a space,
 * ',' or ')'.
 *
 * <p>Errors are {@link UsageException}s of one line that name the column (from 1) of the offending
 * character and quote the expression, e.g.
 * {@code bad --objective at column 14: expected a channel index after ':', found "4x7" in "block4_conv1:4x7"}.
 * Indices are checked against {@link LayerResolver#channels}; spatial positions and batch sizes are not
 * known until images flow, so the objectives check them when evaluated.
 */
public final class ObjectiveParser {
    private static final Pattern NUMBER = Pattern.compile("(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");
    private static final Pattern SIGNED_NUMBER = Pattern.compile("[+-]?" + NUMBER.pattern());
    private static final Pattern WHOLE_NUMBER = Pattern.compile("\\d+");
    private static final String FUNCTIONS = "neuron, deepdream, direction, cosine, class, diversity";

    private final String text;
    private final LayerResolver resolver;
    private int pos;

    private ObjectiveParser(String text, LayerResolver resolver) {
        this.text = text;
        this.resolver = resolver;
    }

    /**
     * @throws UsageException for a malformed expression, an index out of range or an unreadable direction
     *     file; the resolver's own UsageException for an unknown layer comes back with the column added
     */
    public static Objective parse(String expr, LayerResolver resolver) {
        ObjectiveParser p = new ObjectiveParser(expr, resolver);
        Objective objective = p.expression();
        p.skipSpace();
        if (!p.atEnd()) {
            throw p.peek() == ')' ? p.error(p.pos, "found ')' with no '(' before it")
                    : p.error(p.pos, "expected '+', '-' or the end of the expression" + p.found());
        }
        return objective;
    }

    private Objective expression() {
        List<Objective> terms = new ArrayList<>();
        terms.add(term());
        while (true) {
            skipSpace();
            if (consume('+')) {
                terms.add(term());
            } else if (consume('-')) {
                terms.add(Objectives.negate(term()));
            } else {
                return Objectives.sum(terms);
            }
        }
    }

    private Objective term() {
        double weight = 1;
        while (true) { // leading weights: a number counts as one only if '*' follows, so "19:4" stays a layer
            skipSpace();
            int start = pos;
            Matcher m = match(NUMBER);
            if (m == null) {
                break;
            }
            pos = m.end();
            skipSpace();
            if (!consume('*')) {
                pos = start;
                break;
            }
            weight *= toDouble(m.group(), start);
        }
        Objective factor = factor();
        while (true) {
            skipSpace();
            if (!consume('*')) {
                return Objectives.scale(weight, factor);
            }
            skipSpace();
            int at = pos;
            Matcher m = match(NUMBER);
            if (m == null) {
                throw error(pos, "expected a number after '*' (objectives can only be multiplied by numbers)" + found());
            }
            pos = m.end();
            weight *= toDouble(m.group(), at);
        }
    }

    private Objective factor() {
        skipSpace();
        if (consume('-')) {
            return Objectives.negate(term());
        }
        int open = pos;
        if (consume('(')) {
            Objective inner = expression();
            skipSpace();
            if (!consume(')')) {
                throw error(pos, "expected ')' to close the '(' at column " + (open + 1) + found());
            }
            return inner;
        }
        return atom();
    }

    private Objective atom() {
        int start = pos;
        String word = word();
        if (word.isEmpty()) {
            throw error(pos, "expected an objective (LAYER:INDEX, a function such as neuron(...), or tv, l1, l2)"
                    + found());
        }
        skipSpace();
        if (peekIs(':')) {
            pos++;
            String vertex = resolve(word, start);
            return new ChannelObjective(vertex, word, index(word, vertex, "a channel index", "channels"));
        }
        if (peekIs('(')) {
            pos++;
            return function(word, start);
        }
        // the penalties; '-' right after one is the operator, not part of a name
        String head = word.contains("-") ? word.substring(0, word.indexOf('-')) : word;
        Objective penalty = switch (head) {
            case "tv" -> new TotalVariationPenalty();
            case "l1" -> new L1Penalty();
            case "l2" -> new L2Penalty();
            default -> null;
        };
        if (penalty != null) {
            pos = start + head.length();
            return penalty;
        }
        if (NUMBER.matcher(word).matches()) {
            throw error(pos, "expected '*' after the number " + word + found());
        }
        throw error(pos, "expected ':' and a channel index after \"" + word + "\"" + found());
    }

    private Objective function(String name, int start) {
        Objective objective;
        switch (name) {
            case "neuron" -> {
                int at = skipSpaceAndMark();
                String layer = layerName();
                String vertex = resolve(layer, at);
                expect(':', "':' and a channel index after the layer");
                long channel = index(layer, vertex, "a channel index", "channels");
                int x = NeuronObjective.CENTRE;
                int y = NeuronObjective.CENTRE;
                skipSpace();
                if (consume(',')) {
                    x = position("the x position (column)");
                    expect(',', "',' and the y position");
                    y = position("the y position (row)");
                }
                objective = new NeuronObjective(vertex, layer, channel, x, y, Batch.ALL);
            }
            case "class" -> objective = classLogit();
            case "deepdream", "diversity" -> {
                int at = skipSpaceAndMark();
                String layer = layerName();
                String vertex = resolve(layer, at);
                objective = name.equals("deepdream") ? new DeepDreamObjective(vertex, layer)
                        : new DiversityObjective(vertex, layer);
            }
            case "direction", "cosine" -> {
                int at = skipSpaceAndMark();
                String layer = layerName();
                String vertex = resolve(layer, at);
                expect(',', "',' and the direction after the layer");
                double[] v = vector(layer, vertex);
                objective = new DirectionObjective(vertex, layer, v, name.equals("cosine"), Batch.ALL);
            }
            default -> throw error(start, "unknown function \"" + name + "\" (known: " + FUNCTIONS + ")");
        }
        expect(')', "')' to close " + name + "(");
        return objective;
    }

    /**
     * After "class(": LAYER ':' (INDEX | LABEL), or INDEX or LABEL alone for the output layer. A colon before
     * the closing ')' tells the two forms apart (layer names hold none).
     */
    private Objective classLogit() {
        int at = skipSpaceAndMark();
        int close = text.indexOf(')', at);
        String inside = text.substring(at, close < 0 ? text.length() : close);
        String layer;
        if (inside.contains(":")) {
            layer = layerName();
            expect(':', "':' and a class index or label after the layer");
            skipSpace();
        } else {
            try {
                layer = resolver.outputLayer();
            } catch (UsageException e) {
                throw error(at, e.getMessage());
            }
        }
        String vertex = resolve(layer, at);
        long unit;
        if (!atEnd() && Character.isDigit(peek()) && WHOLE_NUMBER.matcher(labelText(pos)).matches()) {
            unit = index(layer, vertex, "a class index", "units");
        } else {
            int labelAt = pos;
            String label = labelText(pos);
            if (label.isEmpty()) {
                throw error(labelAt, "expected a class index or label" + found());
            }
            pos = close < 0 ? text.length() : close;
            unit = classIndex(label, labelAt, layer, vertex);
        }
        return new ClassLogitObjective(resolver.logits(vertex), layer, unit);
    }

    /** The text from {@code from} to the next ')' (or the end), without surrounding spaces. */
    private String labelText(int from) {
        int close = text.indexOf(')', from);
        return text.substring(from, close < 0 ? text.length() : close).strip();
    }

    /** The unit a label names, once the labels are known to be for this layer. */
    private long classIndex(String label, int at, String layer, String vertex) {
        List<String> labels = resolver.labels();
        if (labels.isEmpty()) {
            throw error(at, "the model has no class labels, so \"" + abbreviate(label)
                    + "\" cannot name a class; give an index, class(LAYER:INDEX)");
        }
        long units = resolver.channels(vertex);
        if (units != labels.size()) {
            throw error(at, "the model's " + labels.size() + " labels name the units of its output layer, but "
                    + layer + " has " + units + "; give an index");
        }
        try {
            return resolver.classIndex(label);
        } catch (UsageException e) {
            throw error(at, e.getMessage());
        }
    }

    /** A channel (or unit) index, checked against the layer's size. */
    private long index(String layer, String vertex, String what, String unitName) {
        skipSpace();
        int at = pos;
        String token = run(c -> Character.isLetterOrDigit(c) || c == '_' || c == '.');
        if (token.isEmpty()) {
            throw error(at, "expected " + what + " after ':'" + found());
        }
        if (!WHOLE_NUMBER.matcher(token).matches()) {
            throw error(at, "expected " + what + " after ':', found \"" + token + "\"");
        }
        long size = resolver.channels(vertex);
        long index = token.length() > 18 ? Long.MAX_VALUE : Long.parseLong(token);
        if (index >= size) {
            throw error(at, layer + " has " + size + " " + unitName + " (0-" + (size - 1) + ")");
        }
        return index;
    }

    private int position(String what) {
        skipSpace();
        int at = pos;
        String token = run(c -> Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-');
        if (!WHOLE_NUMBER.matcher(token).matches() || token.length() > 9) {
            pos = at;
            throw error(at, "expected " + what + ", a whole number from 0" + found());
        }
        return Integer.parseInt(token);
    }

    /** The direction: inline numbers or a file of them, one per channel. */
    private double[] vector(String layer, String vertex) {
        skipSpace();
        int at = pos;
        double[] v;
        if (consume('[')) {
            List<Double> numbers = new ArrayList<>();
            do {
                skipSpace();
                int numberAt = pos;
                Matcher m = match(SIGNED_NUMBER);
                if (m == null) {
                    throw error(pos, "expected a number in the direction" + found());
                }
                pos = m.end();
                numbers.add(toDouble(m.group(), numberAt));
                skipSpace();
            } while (consume(','));
            if (!consume(']')) {
                throw error(pos, "expected ',' or ']' in the direction" + found());
            }
            v = numbers.stream().mapToDouble(Double::doubleValue).toArray();
        } else if (consume('@')) {
            v = readDirectionFile(at);
        } else {
            throw error(pos, "expected a direction, [n, n, ...] or @file" + found());
        }
        long channels = resolver.channels(vertex);
        if (v.length != channels) {
            throw error(at, "the direction has " + v.length + " numbers but " + layer + " has " + channels
                    + " channels");
        }
        boolean zero = true;
        for (double d : v) {
            zero &= d == 0;
        }
        if (zero) {
            throw error(at, "the direction is all zeros");
        }
        return v;
    }

    private double[] readDirectionFile(int at) {
        String file = run(c -> !Character.isWhitespace(c) && c != ',' && c != ')');
        if (file.isEmpty()) {
            throw error(pos, "expected a file name after '@'" + found());
        }
        String content;
        try {
            content = Files.readString(Path.of(file));
        } catch (NoSuchFileException e) {
            throw error(at, "cannot read direction file " + file + ": no such file");
        } catch (IOException | RuntimeException e) {
            throw error(at, "cannot read direction file " + file + ": " + e.getMessage());
        }
        String trimmed = content.strip();
        if (trimmed.isEmpty()) {
            throw error(at, "direction file " + file + " holds no numbers");
        }
        String[] tokens = trimmed.split("[\\s,]+");
        double[] v = new double[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            if (!SIGNED_NUMBER.matcher(tokens[i]).matches()) {
                throw error(at, "direction file " + file + ": \"" + abbreviate(tokens[i]) + "\" is not a number");
            }
            v[i] = Double.parseDouble(tokens[i]);
            if (!Double.isFinite(v[i])) {
                throw error(at, "direction file " + file + ": " + abbreviate(tokens[i]) + " is too large");
            }
        }
        return v;
    }

    private String layerName() {
        String name = word();
        if (name.isEmpty()) {
            throw error(pos, "expected a layer name" + found());
        }
        return name;
    }

    /** The caller's resolver, with the column added to its message for an unknown layer. */
    private String resolve(String layer, int at) {
        try {
            return resolver.vertex(layer);
        } catch (UsageException e) {
            throw new UsageException(prefix(at) + e.getMessage() + suffix(), e);
        }
    }

    private double toDouble(String number, int at) {
        double d = Double.parseDouble(number);
        if (!Double.isFinite(d)) {
            throw error(at, "the number " + number + " is too large");
        }
        return d;
    }

    // ---- scanning ----

    private static boolean isLayerChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.' || c == '/';
    }

    private String word() {
        return run(ObjectiveParser::isLayerChar);
    }

    private interface CharTest {
        boolean test(char c);
    }

    /** Consumes and returns the longest run of characters passing the test. */
    private String run(CharTest test) {
        int start = pos;
        while (!atEnd() && test.test(text.charAt(pos))) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private Matcher match(Pattern pattern) {
        Matcher m = pattern.matcher(text).region(pos, text.length());
        return m.lookingAt() ? m : null;
    }

    private void skipSpace() {
        while (!atEnd() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private int skipSpaceAndMark() {
        skipSpace();
        return pos;
    }

    private boolean atEnd() {
        return pos >= text.length();
    }

    private char peek() {
        return text.charAt(pos);
    }

    private boolean peekIs(char c) {
        return !atEnd() && peek() == c;
    }

    private boolean consume(char c) {
        if (peekIs(c)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c, String what) {
        skipSpace();
        if (!consume(c)) {
            throw error(pos, "expected " + what + found());
        }
    }

    // ---- messages ----

    /** What stands at the current position, for "expected X, found Y". */
    private String found() {
        if (atEnd()) {
            return ", but the expression ended";
        }
        char c = peek();
        if (isLayerChar(c)) {
            int end = pos;
            while (end < text.length() && isLayerChar(text.charAt(end))) {
                end++;
            }
            return ", found \"" + abbreviate(text.substring(pos, end)) + "\"";
        }
        return ", found '" + c + "'";
    }

    private static String abbreviate(String s) {
        return s.length() <= 24 ? s : s.substring(0, 21) + "...";
    }

    private UsageException error(int at, String message) {
        return new UsageException(prefix(at) + message + suffix());
    }

    private static String prefix(int at) {
        return "bad --objective at column " + (at + 1) + ": ";
    }

    /** The expression, on the same line even if it holds newlines or tabs (each still one column). */
    private String suffix() {
        return " in \"" + text.replaceAll("[\\r\\n\\t\\f\\u000B]", " ") + "\"";
    }
}
