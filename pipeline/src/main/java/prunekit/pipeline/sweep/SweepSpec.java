package prunekit.pipeline.sweep;

import java.util.List;
import prunekit.prune.budget.Budget;
import prunekit.prune.budget.PlanOptions;
import prunekit.prune.score.ScorerName;
import prunekit.prune.score.ScoringOptions;

/**
 * A grid of pruning runs on one model: every scorer × {uniform, adaptive} × keep ratio (of
 * {@code scope}), with one scoring pass shared by all of them; {@code biasCompensation} adds rows
 * for fluctuation with FLAP's bias compensation; held-out loss in batches of {@code evalBatch}.
 */
public record SweepSpec(List<ScorerName> scorers, List<Double> keepRatios, Budget.Scope scope, ScoringOptions scoring,
                        PlanOptions plan, boolean biasCompensation, int evalBatch) {
    public SweepSpec {
        scorers = List.copyOf(scorers);
        keepRatios = List.copyOf(keepRatios);
        if (scorers.isEmpty() || keepRatios.isEmpty()) {
            throw new IllegalArgumentException("a sweep needs at least one scorer and one keep ratio");
        }
        keepRatios.forEach(r -> new Budget.KeepRatio(r, scope)); // checks each ratio
        if (evalBatch <= 0) {
            throw new IllegalArgumentException("eval batch must be positive, got " + evalBatch);
        }
    }
}
