package prunekit.core.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything that fixes the function a LLaMA-family model computes, apart from its weights.
 * Hidden size and head dim are global; each layer has its own {@link LayerShape}.
 * Built with {@link #builder()}; checks itself on construction.
 */
public record LlamaConfig(
        int vocabSize,
        int hidden,
        int headDim,
        List<LayerShape> layers,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        int bosId,
        int eosId,
        boolean attentionBias,
        boolean mlpBias,
        int maxPositions) {

    public LlamaConfig {
        layers = List.copyOf(layers);
        if (vocabSize <= 0 || hidden <= 0 || headDim <= 0 || headDim % 2 != 0) {
            throw new IllegalArgumentException("invalid config: vocab " + vocabSize + ", hidden " + hidden
                    + ", head_dim " + headDim + " (must be positive, head_dim even)");
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a model needs at least one layer");
        }
        if (!(rmsNormEps > 0) || !(ropeTheta > 0) || maxPositions <= 0) {
            throw new IllegalArgumentException("invalid rms_norm_eps " + rmsNormEps + ", rope_theta " + ropeTheta
                    + " or max_position_embeddings " + maxPositions);
        }
        if (ropeScaling == null) {
            ropeScaling = RopeScaling.NONE;
        }
        long widest = (long) hidden * Math.max(vocabSize, headDim * (long) maxOf(layers, true));
        long ffnMatrix = (long) hidden * maxOf(layers, false);
        if (Math.max(widest, ffnMatrix) > MAX_TENSOR_ELEMENTS) {
            throw new IllegalArgumentException("invalid config: a tensor of " + Math.max(widest, ffnMatrix)
                    + " elements (hidden " + hidden + " x vocab " + vocabSize + ", query heads x head_dim or FFN"
                    + " width) exceeds the " + MAX_TENSOR_ELEMENTS + " a tensor in memory can hold; check the sizes");
        }
    }

    /** The most elements one fp32 tensor can hold in memory (a Java array). */
    public static final long MAX_TENSOR_ELEMENTS = Integer.MAX_VALUE - 8;

    private static int maxOf(List<LayerShape> layers, boolean heads) {
        return layers.stream().mapToInt(heads ? LayerShape::queryHeads : LayerShape::ffn).max().orElse(0);
    }

    public int numLayers() {
        return layers.size();
    }

    public LayerShape layer(int i) {
        return layers.get(i);
    }

    /** True when every layer has the same shape, i.e. the model is a stock HF LlamaForCausalLM. */
    public boolean isUniform() {
        return layers.stream().distinct().count() == 1;
    }

    /** Parameter counts by component; the key {@code total} sums them. */
    public Map<String, Long> parameterCounts() {
        long h = hidden;
        long embed = (long) vocabSize * h;
        long attn = 0, mlp = 0, norms = h;
        for (LayerShape s : layers) {
            long q = (long) s.queryHeads() * headDim;
            long kv = (long) s.kvHeads() * headDim;
            attn += h * q + 2 * h * kv + q * h;
            if (attentionBias && s.hasAttention()) { // a layer without attention has no o_proj bias either
                attn += q + 2 * kv + h;
            }
            mlp += 3 * h * s.ffn();
            if (mlpBias && s.hasMlp()) { // nor one without an MLP a down_proj bias
                mlp += 2L * s.ffn() + h;
            }
            norms += 2 * h;
        }
        long head = tieWordEmbeddings ? 0 : embed;
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("embedding", embed);
        m.put("attention", attn);
        m.put("mlp", mlp);
        m.put("norms", norms);
        m.put("lm_head", head);
        m.put("layers", attn + mlp + 2 * h * layers.size());
        m.put("total", embed + attn + mlp + norms + head);
        return Collections.unmodifiableMap(m);
    }

    public long parameterCount() {
        return parameterCounts().get("total");
    }

    public Builder toBuilder() {
        return new Builder().vocabSize(vocabSize).hidden(hidden).headDim(headDim).layers(layers)
                .rmsNormEps(rmsNormEps).ropeTheta(ropeTheta).ropeScaling(ropeScaling)
                .tieWordEmbeddings(tieWordEmbeddings).bosId(bosId).eosId(eosId).attentionBias(attentionBias)
                .mlpBias(mlpBias).maxPositions(maxPositions);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with LLaMA-2 defaults for the optional fields. */
    public static final class Builder {
        private int vocabSize;
        private int hidden;
        private int headDim;
        private List<LayerShape> layers = new ArrayList<>();
        private double rmsNormEps = 1e-5;
        private double ropeTheta = 10000;
        private RopeScaling ropeScaling = RopeScaling.NONE;
        private boolean tieWordEmbeddings;
        private int bosId = 1;
        private int eosId = 2;
        private boolean attentionBias;
        private boolean mlpBias;
        private int maxPositions = 2048;

        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder hidden(int v) { hidden = v; return this; }
        public Builder headDim(int v) { headDim = v; return this; }
        public Builder layers(List<LayerShape> v) { layers = new ArrayList<>(v); return this; }
        public Builder uniformLayers(int n, LayerShape s) { layers = new ArrayList<>(Collections.nCopies(n, s)); return this; }
        public Builder rmsNormEps(double v) { rmsNormEps = v; return this; }
        public Builder ropeTheta(double v) { ropeTheta = v; return this; }
        public Builder ropeScaling(RopeScaling v) { ropeScaling = v; return this; }
        public Builder tieWordEmbeddings(boolean v) { tieWordEmbeddings = v; return this; }
        public Builder bosId(int v) { bosId = v; return this; }
        public Builder eosId(int v) { eosId = v; return this; }
        public Builder attentionBias(boolean v) { attentionBias = v; return this; }
        public Builder mlpBias(boolean v) { mlpBias = v; return this; }
        public Builder maxPositions(int v) { maxPositions = v; return this; }

        public LlamaConfig build() {
            return new LlamaConfig(vocabSize, hidden, headDim, layers, rmsNormEps, ropeTheta, ropeScaling,
                    tieWordEmbeddings, bosId, eosId, attentionBias, mlpBias, maxPositions);
        }
    }
}
