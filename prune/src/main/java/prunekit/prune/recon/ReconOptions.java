package prunekit.prune.recon;

import prunekit.prune.budget.AttentionUnit;

/**
 * How layer-wise reconstruction prunes: the refit {@code target}; {@code intercept} refits an
 * o_proj / down_proj bias too (FLAP's bias compensation as a by-product; the output then needs
 * {@code attention_bias}/{@code mlp_bias} in its config, so it is no longer a stock LLaMA checkpoint);
 * the ridge {@code damping} (relative to the mean diagonal of XᵀX); the {@code attention} unit
 * (whole KV groups, or equal query heads per group); {@code refit} false keeps the surviving
 * weights as they were (select-only, for ablations); {@code sequential} false calibrates every
 * layer on the dense model's inputs instead of the pruned ones; {@code batch} windows per forward.
 */
public record ReconOptions(RefitTarget target, boolean intercept, double damping, AttentionUnit attention,
                           boolean refit, boolean sequential, int batch) {
    public ReconOptions {
        if (target == null || attention == null) {
            throw new IllegalArgumentException("a refit target and an attention unit are required");
        }
        if (!(damping >= 0)) {
            throw new IllegalArgumentException("damping must be >= 0, got " + damping);
        }
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
        if (intercept && !refit) {
            throw new IllegalArgumentException("an intercept is fitted by the refit: turn refit on or intercept off");
        }
    }

    /** The default recipe (measured on mini-vina, see the README). */
    public static ReconOptions defaults() {
        return new ReconOptions(RefitTarget.DENSE_RESIDUAL, false, 0.01, AttentionUnit.KV_GROUPS, true, true, 8);
    }

    public ReconOptions withTarget(RefitTarget t) {
        return new ReconOptions(t, intercept, damping, attention, refit, sequential, batch);
    }

    public ReconOptions withIntercept(boolean i) {
        return new ReconOptions(target, i, damping, attention, refit, sequential, batch);
    }

    public ReconOptions withDamping(double d) {
        return new ReconOptions(target, intercept, d, attention, refit, sequential, batch);
    }

    public ReconOptions withAttention(AttentionUnit a) {
        return new ReconOptions(target, intercept, damping, a, refit, sequential, batch);
    }

    public ReconOptions withRefit(boolean r) {
        return new ReconOptions(target, intercept && r, damping, attention, r, sequential, batch);
    }

    public ReconOptions withSequential(boolean s) {
        return new ReconOptions(target, intercept, damping, attention, refit, s, batch);
    }
}
