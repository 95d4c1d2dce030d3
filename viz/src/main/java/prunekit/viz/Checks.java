package prunekit.viz;

import java.util.ArrayList;
import java.util.List;

/**
 * The argument checks shared by the chart input records. Each check names the field it checks, so
 * a bad JSON file produces a message such as {@code "curve 'wanda': perplexity[3] is NaN"}.
 */
final class Checks {
    private Checks() {
    }

    /** An immutable copy of {@code values}; rejects a missing list and null elements. */
    static <T> List<T> list(List<T> values, String what) {
        if (values == null) {
            throw new IllegalArgumentException(what + " is missing");
        }
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) == null) {
                throw new IllegalArgumentException(what + "[" + i + "] is null");
            }
        }
        return List.copyOf(values);
    }

    /** Like {@link #list}, and at least one element: "{@code what} is empty: {@code hint}" otherwise. */
    static <T> List<T> nonEmpty(List<T> values, String what, String hint) {
        List<T> copy = list(values, what);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty: " + hint);
        }
        return copy;
    }

    /** Like {@link #list}, and every value must be finite. */
    static List<Double> finite(List<Double> values, String what) {
        List<Double> copy = list(values, what);
        for (int i = 0; i < copy.size(); i++) {
            finite(copy.get(i), what + "[" + i + "]");
        }
        return copy;
    }

    /** Like {@link #finite}, and every value must be greater than zero. */
    static List<Double> positive(List<Double> values, String what) {
        List<Double> copy = finite(values, what);
        for (int i = 0; i < copy.size(); i++) {
            if (copy.get(i) <= 0) {
                throw new IllegalArgumentException(what + "[" + i + "] must be > 0, found " + copy.get(i));
            }
        }
        return copy;
    }

    /** A list of lists of finite values, each inner list copied. */
    static List<List<Double>> finiteRows(List<List<Double>> rows, String what) {
        List<List<Double>> outer = list(rows, what);
        List<List<Double>> copy = new ArrayList<>(outer.size());
        for (int i = 0; i < outer.size(); i++) {
            copy.add(finite(outer.get(i), what + "[" + i + "]"));
        }
        return List.copyOf(copy);
    }

    static double finite(double value, String what) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(what + " must be a finite number, found " + value);
        }
        return value;
    }

    /** A required value > 0; JSON leaves a missing number at 0, so the message says so. */
    static double positive(double value, String what) {
        if (!(Double.isFinite(value) && value > 0)) {
            throw new IllegalArgumentException(what + " must be a finite number > 0, found " + value
                    + (value == 0 ? " (missing?)" : ""));
        }
        return value;
    }

    /** A value that may be absent (null) but, when present, must be finite and > 0. */
    static Double optionalPositive(Double value, String what) {
        if (value != null && !(Double.isFinite(value) && value > 0)) {
            throw new IllegalArgumentException(what + " must be a finite number > 0, found " + value);
        }
        return value;
    }

    static void sameSize(List<?> a, String aName, List<?> b, String bName) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException(
                    bName + " has " + b.size() + " values but " + aName + " has " + a.size());
        }
    }

    /** A non-blank text, or {@code fallback} when the text is absent or blank. */
    static String textOr(String text, String fallback) {
        return text == null || text.isBlank() ? fallback : text;
    }

    /** A required non-blank text. */
    static String text(String text, String what) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(what + " is missing or blank");
        }
        return text;
    }

    static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
