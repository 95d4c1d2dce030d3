package prunekit.core.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.core.model.TensorNames.Proj;

/**
 * The fp32 weights of a model under HF LLaMA names (rotate-half RoPE layout), checked against the
 * config: every expected tensor present with its exact shape, nothing unexpected.
 * {@code storedDtype} is the dtype the weights came from (and are written back as by default).
 */
public final class LlamaWeights {
    private final LlamaConfig config;
    private final Map<String, FloatTensor> tensors;
    private final DType storedDtype;

    public LlamaWeights(LlamaConfig config, Map<String, FloatTensor> tensors, DType storedDtype) {
        this.config = config;
        this.storedDtype = storedDtype;
        Map<String, int[]> expected = expectedShapes(config);
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            FloatTensor t = tensors.get(e.getKey());
            if (t == null) {
                throw new IllegalArgumentException("missing tensor " + e.getKey() + " " + Arrays.toString(e.getValue()));
            }
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new IllegalArgumentException("tensor " + e.getKey() + " has shape " + Arrays.toString(t.shape())
                        + " but the config needs " + Arrays.toString(e.getValue()));
            }
        }
        for (String name : tensors.keySet()) {
            if (!expected.containsKey(name)) {
                throw new IllegalArgumentException("unexpected tensor " + name + " for this config");
            }
        }
        Map<String, FloatTensor> ordered = new LinkedHashMap<>();
        expected.keySet().forEach(k -> ordered.put(k, tensors.get(k)));
        this.tensors = Collections.unmodifiableMap(ordered);
    }

    /** Every tensor a model of this config has, with its shape, in checkpoint order. */
    public static Map<String, int[]> expectedShapes(LlamaConfig c) {
        Map<String, int[]> m = new LinkedHashMap<>();
        int h = c.hidden();
        m.put(TensorNames.EMBED, new int[] {c.vocabSize(), h});
        for (int i = 0; i < c.numLayers(); i++) {
            LayerShape s = c.layer(i);
            int q = s.queryHeads() * c.headDim();
            int kv = s.kvHeads() * c.headDim();
            m.put(TensorNames.inputNorm(i), new int[] {h});
            if (s.hasAttention()) {
                m.put(TensorNames.weight(i, Proj.Q), new int[] {q, h});
                m.put(TensorNames.weight(i, Proj.K), new int[] {kv, h});
                m.put(TensorNames.weight(i, Proj.V), new int[] {kv, h});
                m.put(TensorNames.weight(i, Proj.O), new int[] {h, q});
                if (c.attentionBias()) {
                    m.put(TensorNames.bias(i, Proj.Q), new int[] {q});
                    m.put(TensorNames.bias(i, Proj.K), new int[] {kv});
                    m.put(TensorNames.bias(i, Proj.V), new int[] {kv});
                    m.put(TensorNames.bias(i, Proj.O), new int[] {h});
                }
            }
            m.put(TensorNames.postAttentionNorm(i), new int[] {h});
            if (s.hasMlp()) {
                m.put(TensorNames.weight(i, Proj.GATE), new int[] {s.ffn(), h});
                m.put(TensorNames.weight(i, Proj.UP), new int[] {s.ffn(), h});
                m.put(TensorNames.weight(i, Proj.DOWN), new int[] {h, s.ffn()});
                if (c.mlpBias()) {
                    m.put(TensorNames.bias(i, Proj.GATE), new int[] {s.ffn()});
                    m.put(TensorNames.bias(i, Proj.UP), new int[] {s.ffn()});
                    m.put(TensorNames.bias(i, Proj.DOWN), new int[] {h});
                }
            }
        }
        m.put(TensorNames.FINAL_NORM, new int[] {h});
        if (!c.tieWordEmbeddings()) {
            m.put(TensorNames.LM_HEAD, new int[] {c.vocabSize(), h});
        }
        return m;
    }

    public LlamaConfig config() {
        return config;
    }

    public DType storedDtype() {
        return storedDtype;
    }

    /** All tensors in checkpoint order (unmodifiable). */
    public Map<String, FloatTensor> tensors() {
        return tensors;
    }

    public FloatTensor get(String name) {
        FloatTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("model has no tensor " + name);
        }
        return t;
    }

    public FloatTensor getOrNull(String name) {
        return tensors.get(name);
    }

    /** The output head: lm_head, or the embedding when tied. */
    public FloatTensor lmHead() {
        return config.tieWordEmbeddings() ? get(TensorNames.EMBED) : get(TensorNames.LM_HEAD);
    }

    /** Number of parameters actually stored (equals {@code config.parameterCount()}). */
    public long countParameters() {
        return tensors.values().stream().mapToLong(FloatTensor::numel).sum();
    }
}
