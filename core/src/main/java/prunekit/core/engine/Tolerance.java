package prunekit.core.engine;

import java.util.Locale;
import java.util.function.IntToDoubleFunction;
import prunekit.core.model.FloatTensor;

/**
 * The one tolerance rule of prunekit, llm.c's form: a value passes when
 * |actual − reference| ≤ atol + rtol·|reference|. {@link #FP32} is the rule for two fp32
 * computations that differ only in the order of operations (our engine, the plain reference,
 * ONNX Runtime); checks of other arithmetic make their own. A failing {@link #check} throws an
 * {@link AssertionError} naming the worst element, its index, both values and the largest |diff|.
 */
public record Tolerance(double atol, double rtol) {
    /** fp32 arithmetic on both sides: 1e-4 absolute plus 1e-4 relative. */
    public static final Tolerance FP32 = new Tolerance(1e-4, 1e-4);

    public Tolerance {
        if (!(atol >= 0) || !(rtol >= 0)) {
            throw new IllegalArgumentException("tolerances must be non-negative: atol " + atol + ", rtol " + rtol);
        }
    }

    /** The largest |diff| allowed beside {@code reference}. */
    public double allowed(double reference) {
        return atol + rtol * Math.abs(reference);
    }

    public boolean accepts(double reference, double actual) {
        return Math.abs(actual - reference) <= allowed(reference);
    }

    public void check(String what, double[] reference, float[] actual) {
        check(what, reference, actual.length, i -> actual[i]);
    }

    public void check(String what, double[] reference, double[] actual) {
        check(what, reference, actual.length, i -> actual[i]);
    }

    /** Row by row; a failure names the row. */
    public void check(String what, double[][] reference, float[][] actual) {
        if (reference.length != actual.length) {
            throw new AssertionError(what + ": " + actual.length + " rows != reference " + reference.length);
        }
        for (int i = 0; i < reference.length; i++) {
            check(what + " row " + i, reference[i], actual[i]);
        }
    }

    private void check(String what, double[] reference, int length, IntToDoubleFunction actual) {
        if (reference.length != length) {
            throw new AssertionError(what + ": length " + length + " != reference length " + reference.length);
        }
        int worst = -1;
        double worstExcess = 0;
        double maxDiff = 0;
        for (int i = 0; i < length; i++) {
            double d = Math.abs(actual.applyAsDouble(i) - reference[i]);
            maxDiff = Double.isNaN(d) ? Double.NaN : Math.max(maxDiff, d);
            double excess = d - allowed(reference[i]);
            if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Double.isNaN(d))) {
                worst = i;
                worstExcess = excess;
            }
        }
        if (worst >= 0) {
            double a = actual.applyAsDouble(worst);
            throw new AssertionError(String.format(Locale.ROOT, "%s: element %d is %.8g, reference %.8g"
                    + " (|diff| %.3g > atol %.1g + rtol %.1g·|ref|); largest |diff| %.3g", what, worst, a,
                    reference[worst], Math.abs(a - reference[worst]), atol, rtol, maxDiff));
        }
    }

    public static double[] toDouble(float[] a) {
        return FloatTensor.toDoubles(a);
    }

    public static double[][] toDouble(float[][] a) {
        double[][] d = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            d[i] = toDouble(a[i]);
        }
        return d;
    }
}
