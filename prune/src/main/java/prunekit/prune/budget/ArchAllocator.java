package prunekit.prune.budget;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.prune.group.GroupKind;
import prunekit.prune.group.ModelTensors;
import prunekit.prune.plan.LayerPlan;
import prunekit.prune.plan.PruningPlan;
import prunekit.prune.score.ImportanceScores;
import prunekit.prune.score.ScorerName;

/**
 * An exact target architecture (Sheared-LLaMA's target shapes): the best {@code layers} layers by
 * LAYER score, in every kept layer the best KV groups (or the best query heads of every group) and
 * the best {@code ffn} channels, and the best {@code hidden} channels by HIDDEN_CHANNEL score.
 * Only the scores a change needs are read, so e.g. an unchanged hidden size needs no hidden scores.
 */
final class ArchAllocator {
    private ArchAllocator() {
    }

    static PruningPlan plan(LlamaConfig c, ImportanceScores s, ScorerName n, Budget.TargetArch arch) {
        arch.targetConfig(c); // checks sizes and divisibility first
        int[] keptLayers = arch.layers() < c.numLayers() ? Ranking.top(column(s.get(n, GroupKind.LAYER)), arch.layers())
                : PruningPlan.range(c.numLayers());
        List<LayerPlan> layers = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            if (Arrays.binarySearch(keptLayers, l) < 0) {
                layers.add(LayerPlan.dropped(l));
                continue;
            }
            LayerShape shape = c.layer(l);
            AttentionUnit unit = arch.attentionCut(shape);
            int k = unit == AttentionUnit.KV_GROUPS ? arch.kvHeads() : arch.heads() / arch.kvHeads();
            int[][] heads = needsChange(unit, shape, arch)
                    ? new AttentionUnits(ModelTensors.of(c), s, n, unit).keep(l, k)
                    : new int[][] {PruningPlan.range(shape.kvHeads()), PruningPlan.range(shape.queryHeads())};
            int[] ffn = arch.ffn() < shape.ffn() ? Ranking.top(s.get(n, GroupKind.MLP_CHANNEL)[l], arch.ffn())
                    : PruningPlan.range(shape.ffn());
            layers.add(new LayerPlan(l, false, heads[0], heads[1], ffn));
        }
        int[] hidden = arch.hidden() < c.hidden() ? Ranking.top(s.get(n, GroupKind.HIDDEN_CHANNEL)[0], arch.hidden())
                : PruningPlan.range(c.hidden());
        return new PruningPlan(n.id(), arch.describe(), hidden, layers);
    }

    private static boolean needsChange(AttentionUnit unit, LayerShape s, Budget.TargetArch a) {
        return unit == AttentionUnit.KV_GROUPS ? a.kvHeads() < s.kvHeads() : a.heads() < s.queryHeads();
    }

    private static double[] column(double[][] rows) {
        return Arrays.stream(rows).mapToDouble(r -> r[0]).toArray();
    }
}
