package prunekit.prune.score;

import prunekit.prune.group.Slice;

/**
 * Magnitude: the group's weights' L1 norm Σ|w| (p = 1) or squared L2 norm Σw² (p = 2, the same
 * ranking as the L2 norm and additive over members), over every slice including biases, norm
 * weights and embedding columns. The data-free baseline of Li et al., "Pruning Filters for
 * Efficient ConvNets" (ICLR 2017), and Torch-Pruning's {@code MagnitudeImportance} on coupled groups.
 */
public final class MagnitudeScorer extends SliceScorer {
    private final int p;

    public MagnitudeScorer(int p) {
        if (p != 1 && p != 2) {
            throw new IllegalArgumentException("magnitude norm must be 1 or 2, got " + p);
        }
        this.p = p;
    }

    @Override
    public ScorerName name() {
        return ScorerName.MAGNITUDE;
    }

    @Override
    Slice.ElementFunction element(Slice slice, ScoringContext ctx) {
        return p == 1 ? (w, flat, in) -> Math.abs(w) : (w, flat, in) -> (double) w * w;
    }
}
