package prunekit.prune.score;

import prunekit.prune.group.Slice;

/**
 * First-order Taylor: Σ over the group's elements of |w · ∂L/∂w|, the estimated change of the
 * calibration loss when each weight is set to zero, with the gradient of the mean loss over the
 * whole calibration set. The element-wise first-order importance of Ma et al., "LLM-Pruner: On
 * the Structural Pruning of Large Language Models" (NeurIPS 2023), summed over the coupled group.
 */
public final class TaylorScorer extends SliceScorer {
    @Override
    public ScorerName name() {
        return ScorerName.TAYLOR;
    }

    @Override
    public boolean needsGradients() {
        return true;
    }

    @Override
    Slice.ElementFunction element(Slice slice, ScoringContext ctx) {
        float[] g = ctx.requireStats().gradient(slice.tensor()).data();
        return (w, flat, in) -> Math.abs((double) w * g[flat]);
    }
}
