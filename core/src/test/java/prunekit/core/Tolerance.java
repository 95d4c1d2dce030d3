package prunekit.core;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The one tolerance rule of the test suite: |actual − reference| ≤ atol + rtol·|reference|,
 * elementwise. A failure names the largest violation, where it is and both values.
 */
public record Tolerance(double atol, double rtol) {
    public static final Tolerance FP32 = new Tolerance(1e-4, 1e-4);

    public void check(String what, double[] reference, float[] actual) {
        if (reference.length != actual.length) {
            fail(what + ": length " + actual.length + " != reference length " + reference.length);
        }
        int worst = -1;
        double worstExcess = 0;
        double maxDiff = 0;
        for (int i = 0; i < reference.length; i++) {
            double d = Math.abs(actual[i] - reference[i]);
            maxDiff = Math.max(maxDiff, d);
            double excess = d - (atol + rtol * Math.abs(reference[i]));
            if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Double.isNaN(d))) {
                worst = i;
                worstExcess = excess;
            }
        }
        if (worst >= 0) {
            fail(String.format("%s: element %d is %.8g, reference %.8g (|diff| %.3g > atol %.1g + rtol %.1g·|ref|); "
                    + "largest |diff| %.3g", what, worst, actual[worst], reference[worst],
                    Math.abs(actual[worst] - reference[worst]), atol, rtol, maxDiff));
        }
    }

    public void check(String what, double[][] reference, float[][] actual) {
        if (reference.length != actual.length) {
            fail(what + ": " + actual.length + " rows != reference " + reference.length);
        }
        for (int i = 0; i < reference.length; i++) {
            check(what + " row " + i, reference[i], actual[i]);
        }
    }

    public static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    public static double[][] toDouble(float[][] a) {
        double[][] d = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            d[i] = toDouble(a[i]);
        }
        return d;
    }
}
