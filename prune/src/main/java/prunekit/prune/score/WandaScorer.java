package prunekit.prune.score;

import java.util.stream.IntStream;
import prunekit.calibrate.ChannelStats;
import prunekit.core.engine.ForwardHooks.Site;
import prunekit.prune.group.Slice;

/**
 * Wanda-sp: Σ over the group's weight elements of |W_ij| · ‖X_j‖₂, the weight magnitude times the
 * L2 norm (over every calibration token) of the input channel it multiplies. From Sun et al.,
 * "A Simple and Effective Pruning Approach for Large Language Models" (Wanda, ICLR 2024), in the
 * structured form "Wanda-sp" of An et al., "Fluctuation-based Adaptive Structured Pruning" (FLAP,
 * AAAI 2024). Elements without a measured input (norm weights, biases, embedding, lm_head) add 0.
 */
public final class WandaScorer extends SliceScorer {
    @Override
    public ScorerName name() {
        return ScorerName.WANDA;
    }

    @Override
    Slice.ElementFunction element(Slice slice, ScoringContext ctx) {
        Site site = slice.inputSite();
        if (site == null) {
            return (w, flat, in) -> 0;
        }
        ChannelStats x = ctx.requireStats().channel(slice.layer(), site);
        double[] norm = IntStream.range(0, x.channels()).mapToDouble(x::l2Norm).toArray();
        return (w, flat, in) -> Math.abs(w) * norm[in];
    }
}
