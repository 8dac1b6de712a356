package featviz.objective;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Composition of objectives, Lucid's {@code +}, {@code -}, {@code *} and negation. The factories fold
 * trivial cases (nested sums, double negation, weights of weights) so that descriptions stay short and
 * read like the expression the user typed.
 */
public final class Objectives {
    private Objectives() {
    }

    /** The sum of the terms; nested sums are flattened, one term is returned as it is. */
    public static Objective sum(Objective... terms) {
        return sum(Arrays.asList(terms));
    }

    public static Objective sum(List<Objective> terms) {
        List<Objective> flat = new ArrayList<>();
        for (Objective t : terms) {
            if (t instanceof SumObjective s) {
                flat.addAll(s.terms());
            } else {
                flat.add(t);
            }
        }
        return flat.size() == 1 ? flat.get(0) : new SumObjective(flat);
    }

    /** a - b. */
    public static Objective difference(Objective a, Objective b) {
        return sum(a, negate(b));
    }

    /** factor * o. */
    public static Objective scale(double factor, Objective o) {
        if (factor == 1) {
            return o;
        }
        if (o instanceof ScaledObjective s) {
            return scale(factor * s.factor(), s.inner());
        }
        if (o instanceof NegatedObjective n) {
            return scale(-factor, n.inner());
        }
        return new ScaledObjective(factor, o);
    }

    /** -o. */
    public static Objective negate(Objective o) {
        if (o instanceof NegatedObjective n) {
            return n.inner();
        }
        if (o instanceof ScaledObjective s) {
            return scale(-s.factor(), s.inner());
        }
        return new NegatedObjective(o);
    }

    /** Shortest round-tripping text for a weight: 2 rather than 2.0. */
    static String formatNumber(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x);
    }

    /** A sum inside a product or a negation needs parentheses to be read back the same way. */
    static String parenthesized(Objective o) {
        return o instanceof SumObjective ? "(" + o.describe() + ")" : o.describe();
    }
}
