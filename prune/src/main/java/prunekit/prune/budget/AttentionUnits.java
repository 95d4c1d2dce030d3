package prunekit.prune.budget;

import java.util.Arrays;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.prune.group.CouplingGroup;
import prunekit.prune.group.GroupKind;
import prunekit.prune.group.ModelTensors;
import prunekit.prune.plan.PruningPlan;
import prunekit.prune.score.ImportanceScores;
import prunekit.prune.score.ScorerName;

/**
 * The attention units of every layer with their scores and parameter costs. With
 * {@link AttentionUnit#KV_GROUPS} a unit is one KV group (score: the scorer's KV-group score);
 * with {@link AttentionUnit#QUERY_HEADS} unit j is "the j-th best query head of every group"
 * (score: the sum over groups of their j-th best query-head score), so keeping k units keeps the
 * k best heads of each group and every group stays the same size.
 */
final class AttentionUnits {
    private final LlamaConfig c;
    private final AttentionUnit unit;
    private final double[][] headScores; // QUERY_HEADS: [layer][queryHead]
    private final double[][] scores;     // [layer][unit]
    private final long[] costs;          // [layer]

    AttentionUnits(ModelTensors tensors, ImportanceScores s, ScorerName n, AttentionUnit unit) {
        this.c = tensors.config();
        this.unit = unit;
        scores = new double[c.numLayers()][];
        costs = new long[c.numLayers()];
        headScores = unit == AttentionUnit.QUERY_HEADS ? s.get(n, GroupKind.QUERY_HEAD) : null;
        double[][] kv = unit == AttentionUnit.KV_GROUPS ? s.get(n, GroupKind.KV_GROUP) : null;
        for (int l = 0; l < c.numLayers(); l++) {
            scores[l] = unit == AttentionUnit.KV_GROUPS ? kv[l].clone() : slotScores(c.layer(l), headScores[l]);
            costs[l] = cost(tensors, l);
        }
    }

    private static double[] slotScores(LayerShape s, double[] heads) {
        int g = s.groupSize();
        double[] slots = new double[g];
        for (int kv = 0; kv < s.kvHeads(); kv++) {
            double[] inGroup = Arrays.copyOfRange(heads, kv * g, kv * g + g);
            int[] order = Ranking.order(inGroup);
            for (int j = 0; j < g; j++) {
                slots[j] += inGroup[order[j]];
            }
        }
        return slots;
    }

    int count(int layer) {
        return scores[layer].length;
    }

    double[] scores(int layer) {
        return scores[layer].clone();
    }

    /** Parameters one unit of layer {@code layer} holds: those of its KV group, or of one query head per group. */
    long cost(int layer) {
        return costs[layer];
    }

    private long cost(ModelTensors tensors, int layer) {
        LayerShape s = c.layer(layer);
        if (!s.hasAttention()) {
            return 0;
        }
        if (unit == AttentionUnit.KV_GROUPS) {
            return tensors.parameters(new CouplingGroup.KvGroup(layer, 0));
        }
        long n = 0;
        for (int kv = 0; kv < s.kvHeads(); kv++) {
            n += tensors.parameters(new CouplingGroup.QueryHead(layer, kv * s.groupSize()));
        }
        return n;
    }

    /** {kvHeads, queryHeads} kept when layer {@code layer} keeps its {@code k} best units (k ≥ 1). */
    int[][] keep(int layer, int k) {
        LayerShape s = c.layer(layer);
        int g = s.groupSize();
        if (unit == AttentionUnit.KV_GROUPS) {
            int[] kv = Ranking.top(scores[layer], k);
            return new int[][] {kv, PruningPlan.members(kv, g)};
        }
        int[] q = new int[s.kvHeads() * k];
        for (int kv = 0; kv < s.kvHeads(); kv++) {
            int[] best = Ranking.top(Arrays.copyOfRange(headScores[layer], kv * g, kv * g + g), k);
            for (int j = 0; j < k; j++) {
                q[kv * k + j] = kv * g + best[j];
            }
        }
        return new int[][] {PruningPlan.range(s.kvHeads()), q};
    }
}
