package prunekit.prune.score;

import prunekit.calibrate.ActivationStats;
import prunekit.calibrate.ChannelStats;
import prunekit.core.engine.ForwardHooks.Site;
import prunekit.core.model.LayerShape;
import prunekit.prune.group.CouplingGroup;

/**
 * Activation-based importance of Minitron (Muralidharan et al., "Compact Language Models via
 * Pruning and Knowledge Distillation", NeurIPS 2024): the mean magnitude of the group's outputs
 * over the calibration tokens. A query head scores the mean L2 norm of its attention output, an
 * MLP channel the mean |SwiGLU activation| entering down_proj, a hidden channel the mean |RMSNorm
 * output| summed over every layer's two norms; a KV group, a block or a layer sums its members.
 */
public final class ActivationScorer implements ImportanceScorer {
    @Override
    public ScorerName name() {
        return ScorerName.ACTIVATION;
    }

    @Override
    public double score(CouplingGroup group, ScoringContext ctx) {
        ActivationStats st = ctx.requireStats();
        LayerShape s = group.layer() >= 0 ? st.config().layer(group.layer()) : null;
        int l = group.layer();
        return switch (group.kind()) {
            case QUERY_HEAD -> st.meanHeadNorm(l, group.index());
            case KV_GROUP -> heads(st, l, group.index() * s.groupSize(), s.groupSize());
            case ATTENTION_BLOCK -> heads(st, l, 0, s.queryHeads());
            case MLP_CHANNEL -> st.channel(l, Site.DOWN_PROJ_INPUT).meanAbs(group.index());
            case MLP_BLOCK -> channels(st.channel(l, Site.DOWN_PROJ_INPUT));
            case LAYER -> heads(st, l, 0, s.queryHeads()) + (s.hasMlp() ? channels(st.channel(l, Site.DOWN_PROJ_INPUT)) : 0);
            case HIDDEN_CHANNEL -> hidden(st, group.index());
        };
    }

    private static double heads(ActivationStats st, int layer, int first, int count) {
        double sum = 0;
        for (int h = first; h < first + count; h++) {
            sum += st.meanHeadNorm(layer, h);
        }
        return sum;
    }

    private static double channels(ChannelStats c) {
        double sum = 0;
        for (int j = 0; j < c.channels(); j++) {
            sum += c.meanAbs(j);
        }
        return sum;
    }

    private static double hidden(ActivationStats st, int channel) {
        double sum = 0;
        for (int i = 0; i < st.config().numLayers(); i++) {
            LayerShape s = st.config().layer(i);
            if (s.hasAttention()) {
                sum += st.channel(i, Site.ATTN_INPUT).meanAbs(channel);
            }
            if (s.hasMlp()) {
                sum += st.channel(i, Site.MLP_INPUT).meanAbs(channel);
            }
        }
        return sum;
    }
}
