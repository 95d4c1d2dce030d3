package prunekit.prune.budget;

/**
 * How the planner allocates a budget: {@code uniform} gives every layer the same shape, otherwise
 * a global ranking over per-layer-standardized scores decides each layer's width; {@code align}
 * rounds FFN widths down to multiples of it; attention is cut in {@code attention} units; every
 * layer keeps at least {@code minAttentionUnits} of them and {@code minFfnFraction} of its FFN
 * channels; {@code depth} removes whole blocks (adaptive) or layers (uniform) instead of widths
 * (null: only when the scorer scores nothing finer than blocks); with {@code biasCompensation} the
 * biases surgery will add are counted in the budget.
 */
public record PlanOptions(boolean uniform, int align, AttentionUnit attention, int minAttentionUnits,
                          double minFfnFraction, Boolean depth, boolean biasCompensation) {
    public PlanOptions {
        if (align <= 0) {
            throw new IllegalArgumentException("--align must be positive, got " + align);
        }
        if (minAttentionUnits < 1) {
            throw new IllegalArgumentException("every layer keeps at least one attention unit, got " + minAttentionUnits);
        }
        if (!(minFfnFraction >= 0 && minFfnFraction <= 1)) {
            throw new IllegalArgumentException("minimum FFN fraction must be in [0, 1], got " + minFfnFraction);
        }
    }

    public static PlanOptions defaults() {
        return new PlanOptions(false, 1, AttentionUnit.KV_GROUPS, 1, 1.0 / 16, null, false);
    }

    public PlanOptions withUniform(boolean u) {
        return new PlanOptions(u, align, attention, minAttentionUnits, minFfnFraction, depth, biasCompensation);
    }

    public PlanOptions withAlign(int a) {
        return new PlanOptions(uniform, a, attention, minAttentionUnits, minFfnFraction, depth, biasCompensation);
    }

    public PlanOptions withAttention(AttentionUnit a) {
        return new PlanOptions(uniform, align, a, minAttentionUnits, minFfnFraction, depth, biasCompensation);
    }

    public PlanOptions withDepth(Boolean d) {
        return new PlanOptions(uniform, align, attention, minAttentionUnits, minFfnFraction, d, biasCompensation);
    }

    public PlanOptions withBiasCompensation(boolean b) {
        return new PlanOptions(uniform, align, attention, minAttentionUnits, minFfnFraction, depth, b);
    }

    /** The FFN floor of a layer of width {@code ffn}: the fraction, rounded up to {@code align}, at least 1. */
    public int minFfn(int ffn) {
        int f = (int) Math.ceil(ffn * minFfnFraction);
        f = ((f + align - 1) / align) * align;
        return Math.min(ffn, Math.max(1, f));
    }
}
