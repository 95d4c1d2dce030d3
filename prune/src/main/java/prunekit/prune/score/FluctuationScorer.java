package prunekit.prune.score;

import java.util.stream.IntStream;
import prunekit.calibrate.ChannelStats;
import prunekit.prune.group.Slice;

/**
 * FLAP's fluctuation metric: for each input channel j of a consuming weight W, Var(X_j) · ‖W[:, j]‖²,
 * the variance of the channel over the calibration tokens times the squared norm of the column it
 * feeds; a group sums it over the columns it owns (o_proj columns of a head, the down_proj column of
 * an MLP channel, the q/k/v/gate/up columns of a hidden channel). Rows (producers) add 0. From An
 * et al., "Fluctuation-based Adaptive Structured Pruning for Large Language Models" (AAAI 2024); its
 * per-layer standardization for a global ranking is done by the planner for every scorer, and its
 * bias compensation by surgery.
 */
public final class FluctuationScorer extends SliceScorer {
    @Override
    public ScorerName name() {
        return ScorerName.FLUCTUATION;
    }

    @Override
    Slice.ElementFunction element(Slice slice, ScoringContext ctx) {
        if (slice.axis() != Slice.Axis.COLUMN || slice.inputSite() == null) {
            return (w, flat, in) -> 0;
        }
        ChannelStats x = ctx.requireStats().channel(slice.layer(), slice.inputSite());
        double[] var = IntStream.range(0, x.channels()).mapToDouble(x::variance).toArray();
        return (w, flat, in) -> (double) w * w * var[in];
    }
}
