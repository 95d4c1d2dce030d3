package prunekit.core.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;

/**
 * Checks what {@code config.json} declares against the weights' shapes (it does not infer a config:
 * the declared one must already be right): vocab and hidden size against the embedding, each layer's
 * query heads, KV heads and FFN width against the q_proj, k_proj and gate_proj rows; then every tensor
 * the config implies must be present with its exact shape and nothing else may be (RoPE caches such as
 * {@code rotary_emb.inv_freq} are ignored). Messages name the file, the tensor, what
 * {@code config.json} expects and what was found.
 */
final class ConfigFromWeights {
    private ConfigFromWeights() {
    }

    /** Buffers that some exporters save but that are computed, not learned. */
    static boolean ignored(String name) {
        return name.endsWith(".rotary_emb.inv_freq");
    }

    /** {@code declared}, once every shape of {@code w} agrees with it; otherwise a FormatException. */
    static LlamaConfig derive(LlamaConfig declared, SafetensorsShards w, Path configFile) {
        int[] embed = requireShape(w, TensorNames.EMBED, new int[] {declared.vocabSize(), declared.hidden()}, configFile);
        if (embed.length != 2 || embed[0] != declared.vocabSize() || embed[1] != declared.hidden()) {
            throw new FormatException(w.fileOf(TensorNames.EMBED), "tensor " + TensorNames.EMBED + " has shape "
                    + Arrays.toString(embed) + " but " + configFile + " says vocab_size " + declared.vocabSize()
                    + " and hidden_size " + declared.hidden() + ", so expected [" + declared.vocabSize() + ", "
                    + declared.hidden() + "]; fix config.json or use the matching weights");
        }
        List<LayerShape> layers = new ArrayList<>();
        for (int i = 0; i < declared.numLayers(); i++) {
            LayerShape d = declared.layer(i);
            int q = heads(w, i, Proj.Q, declared.headDim(), d.queryHeads(), "query heads", configFile);
            int kv = heads(w, i, Proj.K, declared.headDim(), d.kvHeads(), "KV heads", configFile);
            int ffn = heads(w, i, Proj.GATE, 1, d.ffn(), "FFN channels (intermediate_size)", configFile);
            layers.add(new LayerShape(q, kv, ffn));
        }
        LlamaConfig derived = declared.toBuilder().vocabSize(embed[0]).hidden(embed[1]).layers(layers).build();
        checkTensors(derived, w, configFile);
        return derived;
    }

    /** Rows of a layer's projection divided by {@code unit}, checked against what the config says. */
    private static int heads(SafetensorsShards w, int layer, Proj p, int unit, int declared, String what,
                             Path configFile) {
        String name = TensorNames.weight(layer, p);
        if (!w.contains(name)) {
            if (declared != 0) {
                throw new FormatException(w.source(), "missing tensor " + name + ": " + configFile + " says layer "
                        + layer + " has " + declared + " " + what + "; a layer without "
                        + (p.isAttention() ? "attention" : "MLP") + " must be declared in "
                        + HfConfigJson.LAYER_SHAPES_KEY);
            }
            return 0;
        }
        int[] s = w.shape(name);
        if (s.length != 2 || s[0] % unit != 0 || s[0] / unit != declared) {
            String found = s.length != 2 ? "it is not a matrix"
                    : s[0] % unit != 0 ? s[0] + " rows are not a multiple of head_dim " + unit
                    : "that is " + s[0] / unit + " " + what + (unit > 1 ? " of head_dim " + unit : "");
            throw new FormatException(w.fileOf(name), "tensor " + name + " has shape " + Arrays.toString(s) + ": "
                    + found + ", but " + configFile + " says layer " + layer + " has " + declared + " " + what
                    + " (expected " + (long) declared * unit + " rows); fix config.json or use the matching weights");
        }
        return declared;
    }

    private static int[] requireShape(SafetensorsShards w, String name, int[] expected, Path configFile) {
        if (!w.contains(name)) {
            throw new FormatException(w.source(), "missing tensor " + name + " (expected shape "
                    + Arrays.toString(expected) + " from " + configFile + ")");
        }
        return w.shape(name);
    }

    /** Every tensor of {@code c} present with its shape; nothing else apart from ignored buffers. */
    static void checkTensors(LlamaConfig c, SafetensorsShards w, Path configFile) {
        Map<String, int[]> expected = LlamaWeights.expectedShapes(c);
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            int[] found = requireShape(w, e.getKey(), e.getValue(), configFile);
            if (!Arrays.equals(found, e.getValue())) {
                throw new FormatException(w.fileOf(e.getKey()), "tensor " + e.getKey() + " has shape "
                        + Arrays.toString(found) + " but " + configFile + " needs " + Arrays.toString(e.getValue())
                        + "; fix config.json or use the matching weights");
            }
        }
        for (String name : w.names()) {
            if (expected.containsKey(name) || ignored(name)) {
                continue;
            }
            if (name.equals(TensorNames.LM_HEAD) && c.tieWordEmbeddings()) {
                checkTiedHead(w, configFile);
                continue;
            }
            throw new FormatException(w.fileOf(name), "unexpected tensor " + name + " " + Arrays.toString(w.shape(name))
                    + ": " + configFile + " (" + c.numLayers() + " layers, attention_bias " + c.attentionBias()
                    + ", mlp_bias " + c.mlpBias() + ", tie_word_embeddings " + c.tieWordEmbeddings()
                    + ") has no place for it; fix config.json or use the matching weights");
        }
    }

    /** A stored lm_head beside tied embeddings is allowed only when it is the embedding. */
    private static void checkTiedHead(SafetensorsShards w, Path configFile) {
        if (!Arrays.equals(w.shape(TensorNames.LM_HEAD), w.shape(TensorNames.EMBED))
                || !Arrays.equals(w.read(TensorNames.LM_HEAD).data(), w.read(TensorNames.EMBED).data())) {
            throw new FormatException(w.fileOf(TensorNames.LM_HEAD), "tensor " + TensorNames.LM_HEAD + " differs from "
                    + TensorNames.EMBED + " but " + configFile + " says tie_word_embeddings true;"
                    + " set it to false to use the stored head");
        }
    }
}
