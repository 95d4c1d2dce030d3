package prunekit.prune.recon;

import prunekit.core.engine.Bf16;
import prunekit.prune.budget.AttentionUnit;

/**
 * How layer-wise reconstruction prunes: the refit {@code target}; {@code intercept} refits an
 * o_proj / down_proj bias too (FLAP's bias compensation as a by-product; the output then needs
 * {@code attention_bias}/{@code mlp_bias} in its config, so it is no longer a stock LLaMA checkpoint);
 * the ridge {@code damping} (relative to the mean diagonal of XᵀX); the {@code attention} unit
 * (whole KV groups, or equal query heads per group); {@code refit} false keeps the surviving
 * weights as they were (select-only, for ablations); {@code sequential} false calibrates every
 * layer on the dense model's inputs instead of the pruned ones; {@code batch} windows per forward;
 * {@code matmul} the precision of the calibration forwards' projections and of the selection's Gram matrices.
 */
public record ReconOptions(RefitTarget target, boolean intercept, double damping, AttentionUnit attention,
                           boolean refit, boolean sequential, int batch, Matmul matmul) {
    /**
     * The precision of the large products: fp32 (PyTorch's), bf16 inputs with fp32 accumulation ({@link Bf16}:
     * MKL's gemm_bf16bf16f32, about 4× fp32 where the CPU has AMX or AVX512-BF16; the GPU pruners run their
     * calibration forwards in fp16/bf16 too), or auto: bf16 for layers of hidden size ≥ {@link BlockObs#MIN_WIDTH}
     * (7B-class layers, whose o_proj and down_proj take the wide path) where the CPU and the native library allow, else fp32. The refit of the survivors is fp64
     * either way; so every mini-vina and stories260K product stays fp32 under auto.
     */
    public enum Matmul {
        FP32, BF16, AUTO;

        /** Whether the products of a layer of this hidden size run in bf16 (its forwards and its Gram matrices alike). */
        public boolean bf16(int width) {
            return switch (this) {
                case FP32 -> false;
                case BF16 -> true;
                case AUTO -> width >= BlockObs.MIN_WIDTH && Bf16.unavailable().isEmpty();
            };
        }

        /** Refuses bf16 where it cannot run, naming why (auto falls back to fp32 without a word). */
        public Matmul check() {
            if (this == BF16) {
                Bf16.unavailable().ifPresent(why -> {
                    throw new IllegalArgumentException("--matmul bf16: " + why + "; use --matmul fp32 or auto");
                });
            }
            return this;
        }
    }

    public ReconOptions {
        if (target == null || attention == null || matmul == null) {
            throw new IllegalArgumentException("a refit target, an attention unit and a matmul precision are required");
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
        return new ReconOptions(RefitTarget.DENSE_RESIDUAL, false, 0.01, AttentionUnit.KV_GROUPS, true, true, 8,
                Matmul.AUTO);
    }

    public ReconOptions withTarget(RefitTarget t) {
        return new ReconOptions(t, intercept, damping, attention, refit, sequential, batch, matmul);
    }

    public ReconOptions withIntercept(boolean i) {
        return new ReconOptions(target, i, damping, attention, refit, sequential, batch, matmul);
    }

    public ReconOptions withDamping(double d) {
        return new ReconOptions(target, intercept, d, attention, refit, sequential, batch, matmul);
    }

    public ReconOptions withAttention(AttentionUnit a) {
        return new ReconOptions(target, intercept, damping, a, refit, sequential, batch, matmul);
    }

    public ReconOptions withRefit(boolean r) {
        return new ReconOptions(target, intercept && r, damping, attention, r, sequential, batch, matmul);
    }

    public ReconOptions withMatmul(Matmul m) {
        return new ReconOptions(target, intercept, damping, attention, refit, sequential, batch, m);
    }

    public ReconOptions withSequential(boolean s) {
        return new ReconOptions(target, intercept, damping, attention, refit, s, batch, matmul);
    }
}
