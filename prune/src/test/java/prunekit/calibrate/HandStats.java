package prunekit.calibrate;

import java.util.Map;
import prunekit.core.engine.ForwardHooks.Site;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;

/**
 * Hand-made {@link ActivationStats} for scorer tests: every sum is given directly, so a scorer's
 * result can be checked against its paper's formula by hand. Lives in calibrate's package to fill
 * the statistics the way {@link StatsCollector} does.
 */
public final class HandStats {
    private final ActivationStats stats;
    private final long tokens;

    /** Statistics of {@code tokens} tokens, all sums zero until given. */
    public HandStats(LlamaConfig c, long tokens) {
        stats = new ActivationStats(c);
        this.tokens = tokens;
        stats.addTokens(tokens);
        stats.addLoss(0);
    }

    /** Σx, Σx² and Σ|x| of every channel at {@code site} of {@code layer}. */
    public HandStats channel(int layer, Site site, double[] sum, double[] sumSq, double[] sumAbs) {
        stats.channel(layer, site).add(sum, sumSq, sumAbs, tokens);
        return this;
    }

    /** Σ over tokens of ‖output of query head h‖₂, for every head of {@code layer}. */
    public HandStats headNorms(int layer, double... sums) {
        stats.addHeadNorms(layer, sums);
        return this;
    }

    /** Σ over tokens of 1 − cos(h_in, h_out) across {@code block} of {@code layer}. */
    public HandStats influence(int layer, ActivationStats.Block block, double sum) {
        stats.addInfluence(layer, block, sum);
        return this;
    }

    public HandStats gradients(Map<String, FloatTensor> g) {
        stats.setGradients(g);
        return this;
    }

    public ActivationStats build() {
        return stats;
    }
}
