package prunekit.prune.budget;

import java.util.ArrayList;
import java.util.Comparator;
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
 * Depth pruning to a parameter target (ShortGPT): the lowest-scoring blocks are removed, one at a
 * time, until the model is at most the target. Uniform removes whole layers (LAYER scores);
 * adaptive removes attention and MLP blocks independently (their own scores) and drops a layer
 * whose two blocks are both gone. Raw scores are compared across layers (no standardization: a
 * block is its layer's only unit).
 */
final class DepthAllocator {
    private DepthAllocator() {
    }

    private record Block(int layer, GroupKind kind, double score) {
    }

    static PruningPlan plan(ModelTensors tensors, ImportanceScores s, ScorerName n, long target, boolean uniform,
                            String budget) {
        LlamaConfig c = tensors.config();
        List<Block> blocks = new ArrayList<>();
        for (GroupKind k : uniform ? List.of(GroupKind.LAYER) : List.of(GroupKind.ATTENTION_BLOCK, GroupKind.MLP_BLOCK)) {
            double[][] rows = s.get(n, k);
            for (int l = 0; l < c.numLayers(); l++) {
                if (rows[l].length == 1) {
                    blocks.add(new Block(l, k, rows[l][0]));
                }
            }
        }
        blocks.sort(Comparator.comparingDouble(Block::score).thenComparingInt(Block::layer)
                .thenComparing(Block::kind));
        boolean[] noAttn = new boolean[c.numLayers()];
        boolean[] noMlp = new boolean[c.numLayers()];
        PruningPlan plan = build(c, noAttn, noMlp, n, budget);
        for (Block b : blocks) {
            if (parameters(tensors, plan) <= target) {
                return plan;
            }
            boolean attn = b.kind() != GroupKind.MLP_BLOCK;
            boolean mlp = b.kind() != GroupKind.ATTENTION_BLOCK;
            noAttn[b.layer()] |= attn;
            noMlp[b.layer()] |= mlp;
            if (allDropped(c, noAttn, noMlp)) {
                break;
            }
            plan = build(c, noAttn, noMlp, n, budget);
        }
        if (parameters(tensors, plan) <= target && !allDropped(c, noAttn, noMlp)) {
            return plan;
        }
        throw new IllegalArgumentException("a target of " + target + " parameters cannot be reached by removing blocks"
                + " while keeping one layer; give a larger target");
    }

    /** Parameters the plan's model keeps: what its removed groups' slices leave. */
    private static long parameters(ModelTensors tensors, PruningPlan plan) {
        return tensors.cut(plan.removed(tensors.config())).parameters();
    }

    private static boolean allDropped(LlamaConfig c, boolean[] noAttn, boolean[] noMlp) {
        for (int l = 0; l < c.numLayers(); l++) {
            if (!(noAttn[l] || !c.layer(l).hasAttention()) || !(noMlp[l] || !c.layer(l).hasMlp())) {
                return false;
            }
        }
        return true;
    }

    private static PruningPlan build(LlamaConfig c, boolean[] noAttn, boolean[] noMlp, ScorerName n, String budget) {
        List<LayerPlan> layers = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            LayerShape s = c.layer(l);
            boolean attn = s.hasAttention() && !noAttn[l];
            boolean mlp = s.hasMlp() && !noMlp[l];
            if (!attn && !mlp) {
                layers.add(LayerPlan.dropped(l));
                continue;
            }
            int[] none = new int[0];
            layers.add(new LayerPlan(l, false, attn ? PruningPlan.range(s.kvHeads()) : none,
                    attn ? PruningPlan.range(s.queryHeads()) : none, mlp ? PruningPlan.range(s.ffn()) : none));
        }
        return new PruningPlan(n.id(), budget, PruningPlan.range(c.hidden()), layers);
    }
}
