package prunekit.export;

import prunekit.core.engine.Tolerance;

/**
 * The largest difference between two logit matrices (T, vocab) and where it is, and the worst
 * ratio of difference to allowed tolerance. Accumulates over several comparisons with
 * {@link #include}.
 */
public final class Comparison {
    /** Where a difference was found: a label (e.g. "prompt 1 decode step 5"), a row and a vocab index. */
    public record Where(String label, int row, int index, double reference, double actual, double allowed) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%s, row %d, token %d: reference %.7g, actual %.7g"
                    + " (|diff| %.3g, allowed %.3g)", label, row, index, reference, actual,
                    Math.abs(actual - reference), allowed);
        }
    }

    private final Tolerance tolerance;
    private double maxAbsDiff;
    private Where worstAbs;
    private double worstRatio;
    private Where worstRatioAt;
    private long values;

    public Comparison(Tolerance tolerance) {
        this.tolerance = tolerance;
    }

    /** Compares {@code actual} with {@code reference}, both (T, vocab). */
    public Comparison include(String label, float[][] reference, float[][] actual) {
        if (reference.length != actual.length) {
            throw new IllegalArgumentException(label + ": " + reference.length + " reference rows vs "
                    + actual.length + " actual rows");
        }
        for (int r = 0; r < reference.length; r++) {
            if (reference[r].length != actual[r].length) {
                throw new IllegalArgumentException(label + " row " + r + ": vocab " + reference[r].length + " vs "
                        + actual[r].length);
            }
            for (int i = 0; i < reference[r].length; i++) {
                double ref = reference[r][i];
                double act = actual[r][i];
                double diff = Math.abs(act - ref);
                double allowed = tolerance.allowed(ref);
                if (Double.isNaN(diff)) {
                    diff = Double.POSITIVE_INFINITY;
                }
                values++;
                if (worstAbs == null || diff > maxAbsDiff) {
                    maxAbsDiff = diff;
                    worstAbs = new Where(label, r, i, ref, act, allowed);
                }
                if (worstRatioAt == null || diff / allowed > worstRatio) {
                    worstRatio = diff / allowed;
                    worstRatioAt = new Where(label, r, i, ref, act, allowed);
                }
            }
        }
        return this;
    }

    public double maxAbsDiff() {
        return maxAbsDiff;
    }

    /** Where the largest absolute difference is (null before anything was compared). */
    public Where worst() {
        return worstAbs;
    }

    /** Largest |diff| / allowed; at most 1 means every value is within tolerance. */
    public double worstRatio() {
        return worstRatio;
    }

    public Where worstRatioAt() {
        return worstRatioAt;
    }

    public boolean withinTolerance() {
        return values > 0 && worstRatio <= 1;
    }

    public Tolerance tolerance() {
        return tolerance;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "max |diff| %.3g at %s; worst diff/allowed %.3g at %s (%d values)",
                maxAbsDiff, worstAbs, worstRatio, worstRatioAt, values);
    }
}
