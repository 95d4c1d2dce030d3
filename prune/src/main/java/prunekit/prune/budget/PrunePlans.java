package prunekit.prune.budget;

import java.util.ArrayList;
import java.util.List;
import prunekit.core.model.LlamaConfig;
import prunekit.prune.group.CouplingGroup;
import prunekit.prune.group.ModelTensors;
import prunekit.prune.plan.LayerPlan;
import prunekit.prune.plan.PruningPlan;

/** Turns per-layer keep counts into a {@link PruningPlan} (the best units and channels of each layer). */
final class PrunePlans {
    private PrunePlans() {
    }

    /** Parameters one MLP channel of layer {@code layer} holds (0 without an MLP). */
    static long channelCost(ModelTensors tensors, int layer) {
        return tensors.config().layer(layer).hasMlp() ? tensors.parameters(new CouplingGroup.MlpChannel(layer, 0)) : 0;
    }

    /** Layer l keeps its {@code attn[l]} best attention units and {@code ffn[l]} best channels. */
    static PruningPlan width(LlamaConfig c, AttentionUnits units, double[][] ffnScores, int[] attn, int[] ffn,
                             String scorer, String budget) {
        List<LayerPlan> layers = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            int[][] heads = units.keep(l, attn[l]);
            layers.add(new LayerPlan(l, false, heads[0], heads[1], Ranking.top(ffnScores[l], ffn[l])));
        }
        return new PruningPlan(scorer, budget, PruningPlan.range(c.hidden()), layers);
    }
}
