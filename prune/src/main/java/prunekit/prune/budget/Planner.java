package prunekit.prune.budget;

import java.util.EnumSet;
import java.util.Set;
import prunekit.core.model.LlamaConfig;
import prunekit.prune.group.GroupKind;
import prunekit.prune.group.ModelTensors;
import prunekit.prune.plan.PruningPlan;
import prunekit.prune.score.ImportanceScores;
import prunekit.prune.score.ScorerName;

/**
 * The allocation stage: scores of one scorer + a {@link Budget} → a {@link PruningPlan}. A target
 * architecture is met exactly; a parameter target (keep ratio or count) by width pruning (heads and
 * FFN channels, uniform or adaptive) or, for a scorer that only scores blocks or with
 * {@code depth}, by removing blocks or layers. Parameters are counted on the coupling groups'
 * slices ({@link ModelTensors}): the plan's model has at most the target's parameters (with bias
 * compensation, counting the biases surgery will add; a target architecture is exact and the
 * biases come on top).
 */
public final class Planner {
    private Planner() {
    }

    public static PruningPlan plan(LlamaConfig c, ImportanceScores scores, ScorerName scorer, Budget budget,
                                   PlanOptions o) {
        scores.requireFits(c);
        if (budget instanceof Budget.TargetArch arch) {
            return ArchAllocator.plan(c, scores, scorer, arch);
        }
        if (budget instanceof Budget.MaxQualityLoss q) {
            throw new IllegalArgumentException(q.describe() + ": a quality budget has no parameter target of its own;"
                    + " it is met by a search over keep ratios (PruneStage), each probe planned with its KeepRatio");
        }
        long target = budget instanceof Budget.KeepRatio r ? r.targetTotal(c)
                : ((Budget.TargetParams) budget).targetTotal(c);
        ModelTensors tensors = o.biasCompensation() ? ModelTensors.of(c).withEveryBias() : ModelTensors.of(c);
        if (target >= tensors.parameters()) {
            PruningPlan id = PruningPlan.identity(c);
            return new PruningPlan(scorer.id(), budget.describe(), id.hidden(), id.layers());
        }
        if (depth(scores, scorer, o)) {
            return DepthAllocator.plan(tensors, scores, scorer, target, o.uniform(), budget.describe());
        }
        AttentionUnits units = new AttentionUnits(tensors, scores, scorer, o.attention());
        double[][] ffn = scores.get(scorer, GroupKind.MLP_CHANNEL);
        return o.uniform()
                ? WidthAllocator.uniform(tensors, units, ffn, target, o, scorer.id(), budget.describe())
                : WidthAllocator.adaptive(tensors, units, ffn, target, o, scorer.id(), budget.describe());
    }

    private static boolean depth(ImportanceScores s, ScorerName n, PlanOptions o) {
        if (o.depth() != null) {
            return o.depth();
        }
        return !s.has(n, GroupKind.MLP_CHANNEL);
    }

    /** The group kinds a scoring run must cover for this budget and these options. */
    public static Set<GroupKind> kindsNeeded(LlamaConfig c, Budget budget, PlanOptions o) {
        Set<GroupKind> k = EnumSet.noneOf(GroupKind.class);
        if (budget instanceof Budget.TargetArch a) {
            k.add(GroupKind.MLP_CHANNEL);
            k.add(GroupKind.KV_GROUP);
            k.add(GroupKind.QUERY_HEAD);
            if (a.layers() < c.numLayers()) {
                k.add(GroupKind.LAYER);
            }
            if (a.hidden() < c.hidden()) {
                k.add(GroupKind.HIDDEN_CHANNEL);
            }
            return k;
        }
        if (Boolean.TRUE.equals(o.depth())) {
            k.addAll(o.uniform() ? Set.of(GroupKind.LAYER) : Set.of(GroupKind.ATTENTION_BLOCK, GroupKind.MLP_BLOCK));
            return k;
        }
        k.add(o.attention() == AttentionUnit.KV_GROUPS ? GroupKind.KV_GROUP : GroupKind.QUERY_HEAD);
        k.add(GroupKind.MLP_CHANNEL);
        k.add(GroupKind.ATTENTION_BLOCK);
        k.add(GroupKind.MLP_BLOCK);
        k.add(GroupKind.LAYER);
        return k;
    }
}
