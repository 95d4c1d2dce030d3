package prunekit.export;

import prunekit.core.model.DType;

/**
 * How far a value may be from its reference: {@code atol + rtol * |reference|}. One rule for every
 * comparison in export (graph vs reference, ORT vs prunekit's forward); {@link #of} gives the
 * defaults per weight dtype, for comparisons where both sides use the same (rounded) weights and
 * differ only in fp32 arithmetic order.
 */
public record Tolerance(double atol, double rtol) {
    public Tolerance {
        if (!(atol >= 0) || !(rtol >= 0)) {
            throw new IllegalArgumentException("tolerances must be non-negative: atol " + atol + ", rtol " + rtol);
        }
    }

    /** fp32 arithmetic on both sides: 1e-4 absolute plus 1e-4 relative (as core's test Tolerance.FP32). */
    public static final Tolerance FP32 = new Tolerance(1e-4, 1e-4);

    /** The default for models whose weights are stored as {@code dtype} (computation is fp32 either way). */
    public static Tolerance of(DType dtype) {
        return FP32;
    }

    public double allowed(double reference) {
        return atol + rtol * Math.abs(reference);
    }

    public boolean accepts(double reference, double actual) {
        return Math.abs(actual - reference) <= allowed(reference);
    }
}
