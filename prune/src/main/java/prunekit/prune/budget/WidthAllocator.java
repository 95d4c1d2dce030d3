package prunekit.prune.budget;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import prunekit.core.model.LlamaConfig;
import prunekit.prune.group.ModelTensors;
import prunekit.prune.plan.PruningPlan;

/**
 * Width pruning to a parameter target: how many attention units and FFN channels each layer keeps.
 * Uniform: every layer the same, attention and MLP shrunk by about the same fraction, then the FFN
 * width solved so the total is at most the target. Adaptive (FLAP's global ranking): scores are
 * standardized per layer and block ((s − mean) / std), the per-layer floors are kept first, then
 * units are taken in descending standardized score while their parameters fit in the target.
 * Within a layer the best-scoring units are kept. Parameter counts here are exact: every unit's
 * cost is the parameters its coupling groups cover, and floors keep every block present.
 */
final class WidthAllocator {
    private WidthAllocator() {
    }

    static PruningPlan uniform(ModelTensors tensors, AttentionUnits units, double[][] ffnScores, long target,
                               PlanOptions o, String scorer, String budget) {
        LlamaConfig c = tensors.config();
        if (!c.isUniform()) {
            throw new IllegalArgumentException("--uniform needs a model whose layers all have the same shape;"
                    + " this one differs per layer: drop --uniform for an adaptive allocation");
        }
        int layers = c.numLayers();
        int a0 = units.count(0);
        int f0 = c.layer(0).ffn();
        long uc = units.cost(0);
        long cc = PrunePlans.channelCost(tensors, 0);
        long total = tensors.parameters();
        int minA = Math.min(o.minAttentionUnits(), a0);
        int minF = o.minFfn(f0);
        double keep = 1 - (double) (total - target) / (layers * (a0 * uc + f0 * cc));
        for (int a = Math.max(minA, Math.min(a0, (int) Math.round(keep * a0))); a >= minA; a--) {
            long afterAttn = total - (long) layers * (a0 - a) * uc;
            long excess = afterAttn - target; // still to remove, in FFN channels of every layer
            int f = excess <= 0 ? f0 : f0 - (int) ceilDiv(excess, layers * cc);
            f = Math.min(f0, (f / o.align()) * o.align());
            if (f >= minF) {
                int[] attn = new int[layers];
                int[] ffn = new int[layers];
                java.util.Arrays.fill(attn, a);
                java.util.Arrays.fill(ffn, f);
                return PrunePlans.width(c, units, ffnScores, attn, ffn, scorer, budget);
            }
        }
        throw unreachable(tensors, target, minA, minF, units, o);
    }

    /** A unit of the global ranking: an attention unit (ffn false) or an FFN channel of a layer. */
    private record Unit(int layer, boolean ffn, int rank, double z, long cost) {
    }

    static PruningPlan adaptive(ModelTensors tensors, AttentionUnits units, double[][] ffnScores, long target,
                                PlanOptions o, String scorer, String budget) {
        LlamaConfig c = tensors.config();
        int layers = c.numLayers();
        int[] attn = new int[layers];
        int[] ffn = new int[layers];
        long params = tensors.parameters();
        List<Unit> pool = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            long cc = PrunePlans.channelCost(tensors, l);
            attn[l] = Math.min(o.minAttentionUnits(), units.count(l));
            ffn[l] = o.minFfn(c.layer(l).ffn());
            params -= (units.count(l) - attn[l]) * units.cost(l) + (c.layer(l).ffn() - ffn[l]) * cc;
            addUnits(pool, l, false, units.scores(l), attn[l], units.cost(l));
            addUnits(pool, l, true, ffnScores[l], ffn[l], cc);
        }
        if (params > target) {
            throw unreachable(tensors, target, o.minAttentionUnits(), -1, units, o);
        }
        pool.sort(Comparator.comparingDouble((Unit u) -> -u.z()).thenComparingInt(Unit::layer)
                .thenComparing(Unit::ffn).thenComparingInt(Unit::rank));
        for (Unit u : pool) {
            if (params + u.cost() <= target) {
                params += u.cost();
                if (u.ffn()) {
                    ffn[u.layer()]++;
                } else {
                    attn[u.layer()]++;
                }
            }
        }
        for (int l = 0; l < layers; l++) {
            int f = (ffn[l] / o.align()) * o.align();
            ffn[l] = ffn[l] == c.layer(l).ffn() ? ffn[l] : Math.max(o.minFfn(c.layer(l).ffn()), f);
        }
        return PrunePlans.width(c, units, ffnScores, attn, ffn, scorer, budget);
    }

    /** Adds the units of one layer and block beyond its floor, with their standardized scores. */
    private static void addUnits(List<Unit> pool, int layer, boolean ffn, double[] scores, int floor, long cost) {
        double[] z = Ranking.standardize(scores);
        int[] order = Ranking.order(scores);
        for (int r = floor; r < order.length; r++) {
            pool.add(new Unit(layer, ffn, r, z[order[r]], cost));
        }
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static IllegalArgumentException unreachable(ModelTensors tensors, long target, int minA, int minF,
                                                        AttentionUnits u, PlanOptions o) {
        LlamaConfig c = tensors.config();
        long min = tensors.parameters();
        for (int l = 0; l < c.numLayers(); l++) {
            min -= (u.count(l) - Math.min(minA, u.count(l))) * u.cost(l)
                    + (c.layer(l).ffn() - o.minFfn(c.layer(l).ffn())) * PrunePlans.channelCost(tensors, l);
        }
        return new IllegalArgumentException("a target of " + target + " parameters cannot be reached by width pruning:"
                + " keeping at least " + minA + " attention unit(s) and " + (minF > 0 ? minF : "the minimum")
                + " FFN channels per layer leaves " + min + "; give a larger target, or remove whole blocks with --depth");
    }
}
