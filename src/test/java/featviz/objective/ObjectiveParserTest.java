package featviz.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.GradientCheck;
import featviz.UsageException;
import featviz.model.ImageNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The --objective language: what each expression means, and where each mistake is reported. */
class ObjectiveParserTest {

    /** A model of a few layers, named as users type them, with vertices named otherwise. */
    static final LayerResolver RESOLVER = new LayerResolver() {
        final Map<String, String> vertices = Map.of("a", "va", "b", "vb", "fc", "vfc", "block4_conv1", "v12",
                "mixed-4a/pool.1", "vm", "19", "v19", "tv-a", "vtva");
        final Map<String, Long> channels = Map.of("va", 3L, "vb", 5L, "vfc", 4L, "v12", 512L, "vm", 2L, "v19", 8L,
                "vtva", 1L);

        @Override
        public String vertex(String userLayerName) {
            String v = vertices.get(userLayerName);
            if (v == null) {
                throw new UsageException("unknown layer " + userLayerName);
            }
            return v;
        }

        @Override
        public long channels(String vertex) {
            return channels.get(vertex);
        }
    };

    /** Activations for the layers above, batch of 2, and an image. */
    static final Map<String, INDArray> ACTS = Map.of(
            "va", GradientCheck.uniform(DataType.DOUBLE, 1, 2, 3, 3, 4).subi(0.5),
            "vb", GradientCheck.uniform(DataType.DOUBLE, 2, 2, 5, 2, 2).subi(0.5),
            "vfc", GradientCheck.uniform(DataType.DOUBLE, 3, 2, 4),
            "v12", GradientCheck.uniform(DataType.DOUBLE, 5, 2, 512, 1, 1),
            "vm", GradientCheck.uniform(DataType.DOUBLE, 6, 2, 2, 2, 2),
            "v19", GradientCheck.uniform(DataType.DOUBLE, 7, 2, 8, 2, 2),
            ImageNetwork.IMAGE, GradientCheck.uniform(DataType.DOUBLE, 4, 2, 3, 4, 4));

    static Objective parse(String expr) {
        return ObjectiveParser.parse(expr, RESOLVER);
    }

    /** The total over the batch of what an expression evaluates to. */
    static double total(String expr) {
        return parse(expr).evaluate(ACTS).total();
    }

    static double total(Objective o) {
        return o.evaluate(ACTS).total();
    }

    static final Objective A0 = new ChannelObjective("va", "a", 0);
    static final Objective A1 = new ChannelObjective("va", "a", 1);
    static final Objective B2 = new ChannelObjective("vb", "b", 2);

    static String error(String expr) {
        UsageException e = assertThrows(UsageException.class, () -> parse(expr));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().endsWith(" in \"" + expr.replace('\n', ' ').replace('\t', ' ') + "\""), e.getMessage());
        return e.getMessage();
    }

    static void assertError(String expr, int column, String what) {
        String message = error(expr);
        assertEquals("bad --objective at column " + column + ": " + what + " in \"" + expr + "\"", message);
    }

    // ---- meaning ----

    @Test
    void aChannel() {
        Objective o = parse("block4_conv1:47");
        assertInstanceOf(ChannelObjective.class, o);
        assertEquals(Set.of("v12"), o.layers());
        assertEquals("channel(block4_conv1, 47)", o.describe());
    }

    @Test
    void precedenceAndAssociativity() {
        double a0 = total(A0);
        double a1 = total(A1);
        double b2 = total(B2);
        assertEquals(a0 - 2 * a1 + 3 * b2, total("a:0 - 2*a:1 + b:2*3"), 1e-12);
        assertEquals(a0 - a1 - b2, total("a:0 - a:1 - b:2"), 1e-12); // left to right, not a - (b - c)
        assertEquals(a0 - (a1 - b2), total("a:0 - (a:1 - b:2)"), 1e-12);
        assertEquals(2 * (a0 + a1), total("2*(a:0 + a:1)"), 1e-12);
        assertEquals(0.5 * a0 + a1, total("0.5*a:0 + a:1"), 1e-12);
        assertEquals(6 * a0, total("2*3*a:0"), 1e-12);
        assertEquals(6 * a0, total("2*a:0*3"), 1e-12);
    }

    @Test
    void unaryMinus() {
        double a0 = total(A0);
        double a1 = total(A1);
        assertEquals(-a0 + a1, total("-a:0 + a:1"), 1e-12);
        assertEquals(-(a0 + a1), total("-(a:0 + a:1)"), 1e-12);
        assertEquals(a0 + a1, total("a:0 - -a:1"), 1e-12);
        assertEquals(-2 * a0, total("-2*a:0"), 1e-12);
        assertEquals(-2 * a0, total("2*-a:0"), 1e-12);
        assertEquals(-2 * a0, total("-a:0*2"), 1e-12);
        assertEquals(a0, total("--a:0"), 1e-12);
    }

    @Test
    void scalarsOnBothSidesAndInEveryForm() {
        double a0 = total(A0);
        assertEquals(0.5 * a0, total(".5*a:0"), 1e-12);
        assertEquals(2.5 * a0, total("a:0*2.5"), 1e-12);
        assertEquals(2 * a0, total("2.*a:0"), 1e-12);
        assertEquals(1e-3 * a0, total("1e-3*a:0"), 1e-15);
        assertEquals(1.5e2 * a0, total("a:0 * 1.5E+2"), 1e-9);
        assertEquals("0.05*tv", parse("0.05*tv").describe());
        assertEquals("0.05*tv", parse("tv*0.05").describe());
    }

    @Test
    void theBriefsExample() {
        Objective o = parse("block4_conv1:47 - 0.5*block4_conv1:12 + 0.05*tv");
        assertEquals("channel(block4_conv1, 47) - 0.5*channel(block4_conv1, 12) + 0.05*tv", o.describe());
        assertEquals(Set.of("v12", ImageNetwork.IMAGE), o.layers());
        double expected = total(new ChannelObjective("v12", "x", 47)) - 0.5 * total(new ChannelObjective("v12", "x", 12))
                + 0.05 * total(new TotalVariationPenalty());
        assertEquals(expected, total(o), 1e-12);
    }

    @Test
    void whitespaceAnywhereBetweenTokens() {
        String spaced = "  a : 1\t+\n neuron ( a : 2 , 1 , 0 ) *  2 - ( tv )  ";
        assertEquals(total("a:1+neuron(a:2,1,0)*2-(tv)"), total(spaced), 1e-12);
        assertEquals("channel(a, 1) + 2*neuron(a, 2, x=1, y=0) - tv", parse(spaced).describe());
    }

    @Test
    void everyAtom() {
        assertEquals("neuron(a, 2)", parse("neuron(a:2)").describe());
        assertEquals(ACTS.get("va").getDouble(1, 2, 2, 3), parse("neuron(a:2, 3, 2)").evaluate(ACTS).values()[1]);
        assertEquals("deepdream(b)", parse("deepdream(b)").describe());
        assertEquals(total(new DeepDreamObjective("vb", "b")), total("deepdream(b)"));
        assertEquals(total(new DirectionObjective("va", "a", new double[] {1, -2, 0.5}, false)),
                total("direction(a, [1, -2, .5])"));
        assertEquals(total(new DirectionObjective("va", "a", new double[] {1, -2, 0.5}, true)),
                total("cosine(a,[1,-2,+0.5])"));
        assertEquals("direction(a, 3 channels)", parse("direction(a, [1, -2, 0.5])").describe());
        assertEquals("cosine(a, 3 channels)", parse("cosine(a, [1, -2, 0.5])").describe());
        assertEquals("class(fc, 3)", parse("class(fc:3)").describe());
        assertArrayEquals(new double[] {ACTS.get("vfc").getDouble(0, 3), ACTS.get("vfc").getDouble(1, 3)},
                parse("class(fc:3)").evaluate(ACTS).values());
        assertEquals("diversity(b)", parse("diversity(b)").describe());
        assertEquals(total(new DiversityObjective("vb", "b")), total("diversity(b)"));
        assertInstanceOf(TotalVariationPenalty.class, parse("tv"));
        assertInstanceOf(L1Penalty.class, parse("l1"));
        assertInstanceOf(L2Penalty.class, parse("l2"));
        assertEquals(Set.of(ImageNetwork.IMAGE), parse("l1").layers());
    }

    @Test
    void layerNamesWithPunctuationAndDigits() {
        assertEquals("channel(mixed-4a/pool.1, 1)", parse("mixed-4a/pool.1:1").describe());
        assertEquals("channel(19, 7)", parse("19:7").describe()); // a number followed by ':' is a layer
        assertEquals("2*channel(19, 7)", parse("2*19:7").describe());
        assertEquals("channel(a, 1) - channel(b, 2)", parse("a:1-b:2").describe()); // '-' after an index
        assertEquals("tv - 2*l2", parse("tv-2*l2").describe()); // '-' right after a penalty
        assertEquals("channel(tv-a, 0)", parse("tv-a:0").describe()); // ... unless a ':' makes it a layer
    }

    @Test
    void directionFromAFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("v.txt");
        Files.writeString(file, "1, -2\n  0.5\n");
        assertEquals(total(new DirectionObjective("va", "a", new double[] {1, -2, 0.5}, false)),
                total("direction(a, @" + file + ")"));
        assertEquals(total(new DirectionObjective("va", "a", new double[] {1, -2, 0.5}, true)),
                total("cosine(a,@" + file + ") "));

        Files.writeString(file, "1 2 x3");
        String expr = "direction(a, @" + file + ")";
        assertError(expr, 14, "direction file " + file + ": \"x3\" is not a number");
        Files.writeString(file, "1 2");
        assertError(expr, 14, "the direction has 2 numbers but a has 3 channels");
        Files.writeString(file, " \n");
        assertError(expr, 14, "direction file " + file + " holds no numbers");
        Path missing = dir.resolve("missing.txt");
        assertError("direction(a, @" + missing + ")", 14, "cannot read direction file " + missing + ": no such file");
        assertError("direction(a, @)", 15, "expected a file name after '@', found ')'");
    }

    // ---- errors ----

    @Test
    void theBriefsErrorExample() {
        assertEquals("bad --objective at column 14: expected a channel index after ':', found \"4x7\" in "
                + "\"block4_conv1:4x7 + tv\"", error("block4_conv1:4x7 + tv"));
    }

    @Test
    void missingIndex() {
        assertError("block4_conv1: + tv", 15, "expected a channel index after ':', found '+'");
        assertError("block4_conv1:", 14, "expected a channel index after ':', but the expression ended");
        assertError("block4_conv1 + tv", 14, "expected ':' and a channel index after \"block4_conv1\", found '+'");
        assertError("a:1.5", 3, "expected a channel index after ':', found \"1.5\"");
        assertError("a:-1", 3, "expected a channel index after ':', found \"-1\"");
        assertError("class(fc)", 7, "the model has no output layer of classes; write class(LAYER:INDEX)");
        assertError("class(fc:)", 10, "expected a class index or label, found ')'");
    }

    @Test
    void indexOutOfRange() {
        assertError("block4_conv1:512", 14, "block4_conv1 has 512 channels (0-511)");
        assertError("tv + block4_conv1:99999999999999999999999", 19, "block4_conv1 has 512 channels (0-511)");
        assertError("neuron(a:3)", 10, "a has 3 channels (0-2)");
        assertError("class(fc:4)", 10, "fc has 4 units (0-3)");
    }

    @Test
    void unknownFunctionsAndLayers() {
        assertError("a:1 + foo(a)", 7, "unknown function \"foo\" (known: neuron, deepdream, direction, cosine, class, diversity)");
        assertError("tv(a)", 1, "unknown function \"tv\" (known: neuron, deepdream, direction, cosine, class, diversity)");
        assertError("a:1 + nope:3", 7, "unknown layer nope");
        assertError("deepdream(nope)", 11, "unknown layer nope");
        assertEquals("unknown layer nope", error("a:1 + nope:3").split(": ", 2)[1].split(" in ")[0]);
        assertError("tvv", 4, "expected ':' and a channel index after \"tvv\", but the expression ended");
    }

    @Test
    void unbalancedParentheses() {
        assertError("(a:1 + b:2", 11, "expected ')' to close the '(' at column 1, but the expression ended");
        assertError("2*((a:1) + b:2", 15, "expected ')' to close the '(' at column 3, but the expression ended");
        assertError("a:1)", 4, "found ')' with no '(' before it");
        assertError("neuron(a:1", 11, "expected ')' to close neuron(, but the expression ended");
        assertError("()", 2, "expected an objective (LAYER:INDEX, a function such as neuron(...), or tv, l1, l2), found ')'");
    }

    @Test
    void trailingGarbage() {
        assertError("a:1 b:2", 5, "expected '+', '-' or the end of the expression, found \"b\"");
        assertError("a:1 / 2", 5, "expected '+', '-' or the end of the expression, found \"/\"");
        assertError("tv;", 3, "expected '+', '-' or the end of the expression, found ';'");
        assertError("a:1 * b:2", 7, "expected a number after '*' (objectives can only be multiplied by numbers), found \"b\"");
        assertError("a:1 * 2 * ", 11, "expected a number after '*' (objectives can only be multiplied by numbers), but the expression ended");
    }

    @Test
    void otherMalformedInputs() {
        assertError("", 1, "expected an objective (LAYER:INDEX, a function such as neuron(...), or tv, l1, l2), but the expression ended");
        assertError("a:1 +", 6, "expected an objective (LAYER:INDEX, a function such as neuron(...), or tv, l1, l2), but the expression ended");
        assertError("a:1 + 3", 8, "expected '*' after the number 3, but the expression ended");
        assertError("neuron(a:1, 2)", 14, "expected ',' and the y position, found ')'");
        assertError("neuron(a:1, x, 2)", 13, "expected the x position (column), a whole number from 0, found \"x\"");
        assertError("direction(a, 1, 2, 3)", 14, "expected a direction, [n, n, ...] or @file, found \"1\"");
        assertError("direction(a, [1, 2 3])", 20, "expected ',' or ']' in the direction, found \"3\"");
        assertError("direction(a, [1, , 3])", 18, "expected a number in the direction, found ','");
        assertError("direction(a, [1, 2])", 14, "the direction has 2 numbers but a has 3 channels");
        assertError("cosine(a, [0, 0, 0])", 11, "the direction is all zeros");
        assertError("deepdream()", 11, "expected a layer name, found ')'");
        assertError("1e999*a:1", 1, "the number 1e999 is too large");
    }

    @Test
    void newlinesInTheExpressionKeepTheMessageOnOneLine() {
        String message = error("a:1 +\n  b:9");
        assertTrue(message.startsWith("bad --objective at column 11: b has 5 channels (0-4) in \"a:1 +   b:9\""), message);
    }

    // ---- classes by name ----

    /** The resolver above with labels for its 4-unit output layer "fc", as Fashion-MNIST-style names. */
    static final LayerResolver LABELLED = new LayerResolver() {
        final featviz.model.Labels labels = new featviz.model.Labels(
                java.util.List.of("T-shirt/top", "Ankle boot", "sea_cucumber", "crane"), "test-net");

        @Override
        public String vertex(String userLayerName) {
            return RESOLVER.vertex(userLayerName);
        }

        @Override
        public long channels(String vertex) {
            return RESOLVER.channels(vertex);
        }

        @Override
        public java.util.List<String> labels() {
            return labels.names();
        }

        @Override
        public int classIndex(String label) {
            return labels.indexOf(label);
        }

        @Override
        public String outputLayer() {
            return "fc";
        }
    };

    static String labelled(String expr) {
        return ObjectiveParser.parse(expr, LABELLED).describe();
    }

    @Test
    void aClassByLabelOnTheOutputLayerOrANamedOne() {
        assertEquals("class(fc, 1)", labelled("class(ankle_boot)"));
        assertEquals("class(fc, 1)", labelled("class( Ankle Boot )"));
        assertEquals("class(fc, 1)", labelled("class(ANKLE-BOOT)"));
        assertEquals("class(fc, 0)", labelled("class(t_shirt_top)"));
        assertEquals("class(fc, 0)", labelled("class(T-shirt/top)"));
        assertEquals("class(fc, 2)", labelled("class(sea cucumber)"));
        assertEquals("class(fc, 2)", labelled("class(fc:sea_cucumber)"));
        assertEquals("class(fc, 3)", labelled("class(3)"));
        assertEquals("class(fc, 3)", labelled("class(fc:3)"));
        // the same values as the index form, and it composes
        assertArrayEquals(ObjectiveParser.parse("class(fc:1)", LABELLED).evaluate(ACTS).values(),
                ObjectiveParser.parse("class(ankle_boot)", LABELLED).evaluate(ACTS).values());
        String sum = labelled("class(ankle_boot) + 0.5*class(fc:sea_cucumber)");
        assertTrue(sum.contains("class(fc, 1)") && sum.contains("class(fc, 2)"), sum);
    }

    @Test
    void anUnknownLabelNamesTheClosest() {
        UsageException e = assertThrows(UsageException.class, () -> ObjectiveParser.parse("class(ankle_bot)", LABELLED));
        assertEquals("bad --objective at column 7: no class 'ankle_bot' among the 4 labels of test-net; closest: "
                + "Ankle boot (1), crane (3), T-shirt/top (0) in \"class(ankle_bot)\"", e.getMessage());
    }

    @Test
    void labelsMustFitTheLayerAndExist() {
        UsageException wrongLayer = assertThrows(UsageException.class,
                () -> ObjectiveParser.parse("class(b:ankle_boot)", LABELLED));
        assertEquals("bad --objective at column 9: the model's 4 labels name the units of its output layer, but b has 5;"
                + " give an index in \"class(b:ankle_boot)\"", wrongLayer.getMessage());
        assertError("class(fc:ankle_boot)", 10, "the model has no class labels, so \"ankle_boot\" cannot name a class;"
                + " give an index, class(LAYER:INDEX)");
        assertError("class(fc:9)", 10, "fc has 4 units (0-3)");
    }
}
