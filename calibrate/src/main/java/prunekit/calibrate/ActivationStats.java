package prunekit.calibrate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import prunekit.core.engine.ForwardHooks.Site;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;

/**
 * What a calibration pass measured, per layer: {@link ChannelStats} at every linear input site,
 * the summed L2 norm of each query head's output, the summed 1 − cos(h_in, h_out) of the
 * attention block, the MLP block and the whole layer (ShortGPT's block influence), and, when asked,
 * the mean gradient of the calibration loss for every weight (HF name → same shape as the weight).
 * Filled by {@link StatsCollector}; read-only afterwards.
 */
public final class ActivationStats {
    /** The residual-stream segment a block-influence value measures. */
    public enum Block { ATTENTION, MLP, LAYER }

    private final LlamaConfig config;
    private final List<Map<Site, ChannelStats>> sites = new ArrayList<>();
    private final double[][] headNormSum; // [layer][queryHead]
    private final double[][] influenceSum; // [Block][layer]
    private long tokens;
    private double lossSum;
    private int batches;
    private Map<String, FloatTensor> gradients = Map.of();

    ActivationStats(LlamaConfig config) {
        this.config = config;
        headNormSum = new double[config.numLayers()][];
        influenceSum = new double[Block.values().length][config.numLayers()];
        for (int i = 0; i < config.numLayers(); i++) {
            LayerShape s = config.layer(i);
            Map<Site, ChannelStats> m = new EnumMap<>(Site.class);
            m.put(Site.ATTN_INPUT, new ChannelStats(config.hidden()));
            m.put(Site.O_PROJ_INPUT, new ChannelStats(s.queryHeads() * config.headDim()));
            m.put(Site.MLP_INPUT, new ChannelStats(config.hidden()));
            m.put(Site.DOWN_PROJ_INPUT, new ChannelStats(s.ffn()));
            sites.add(m);
            headNormSum[i] = new double[s.queryHeads()];
        }
    }

    public LlamaConfig config() {
        return config;
    }

    /** Calibration tokens the statistics were taken over. */
    public long tokens() {
        return tokens;
    }

    /** Mean next-token loss over the calibration windows. */
    public double meanLoss() {
        return lossSum / batches;
    }

    public ChannelStats channel(int layer, Site site) {
        return sites.get(layer).get(site);
    }

    /** Mean over tokens of ‖output of query head {@code head}‖₂ (Minitron's head activation). */
    public double meanHeadNorm(int layer, int head) {
        return headNormSum[layer][head] / tokens;
    }

    /** Mean over tokens of 1 − cos(h_in, h_out) across {@code block} of layer {@code layer}. */
    public double blockInfluence(int layer, Block block) {
        return influenceSum[block.ordinal()][layer] / tokens;
    }

    public boolean hasGradients() {
        return !gradients.isEmpty();
    }

    /** The mean gradient of the calibration loss w.r.t. weight {@code name}; fails when not collected. */
    public FloatTensor gradient(String name) {
        FloatTensor g = gradients.get(name);
        if (g == null) {
            throw new IllegalStateException(gradients.isEmpty()
                    ? "no gradients were collected; run the statistics pass with gradients (a scorer such as taylor asks for them)"
                    : "no gradient for " + name);
        }
        return g;
    }

    // ---- filled by StatsCollector / StatsHooks ----

    void addTokens(long n) {
        tokens += n;
    }

    void addLoss(double meanBatchLoss) {
        lossSum += meanBatchLoss;
        batches++;
    }

    void addHeadNorms(int layer, double[] sums) {
        for (int h = 0; h < sums.length; h++) {
            headNormSum[layer][h] += sums[h];
        }
    }

    void addInfluence(int layer, Block block, double sum) {
        influenceSum[block.ordinal()][layer] += sum;
    }

    void setGradients(Map<String, FloatTensor> g) {
        gradients = Collections.unmodifiableMap(g);
    }
}
