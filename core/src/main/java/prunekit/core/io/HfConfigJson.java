package prunekit.core.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import prunekit.core.engine.MemoryCheck;
import prunekit.core.model.DType;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.RopeScaling;

/**
 * A Hugging Face LLaMA {@code config.json} to and from {@link LlamaConfig}.
 *
 * <p>A uniform config is written as a stock {@code LlamaForCausalLM} config. A per-layer config
 * writes the stock keys as the maximum over its layers and adds {@value #LAYER_SHAPES_KEY}: one
 * {@code {"num_attention_heads", "num_key_value_heads", "intermediate_size"}} per layer, which the
 * reader then takes as the layer shapes. Optional keys take the defaults of transformers'
 * {@code LlamaConfig} (rms_norm_eps 1e-6, rope_theta 10000, max_position_embeddings 2048, bos 1,
 * eos 2, no biases, untied embeddings).
 */
public final class HfConfigJson {
    public static final String FILE_NAME = "config.json";
    public static final String LAYER_SHAPES_KEY = "prunekit_layer_shapes";

    private static final String HEADS = "num_attention_heads";
    private static final String KV_HEADS = "num_key_value_heads";
    private static final String FFN = "intermediate_size";
    /** Heap for the description of one layer (its shape, its tensors' names and shapes), bounded before any is made. */
    private static final long LAYER_DESCRIPTION_BYTES = 1024;

    private HfConfigJson() {
    }

    /** Reads and checks {@code file}. */
    public static LlamaConfig read(Path file) {
        return fromJson(JsonFields.readObject(file), file);
    }

    /** Converts a parsed config; {@code file} is only used in messages. */
    public static LlamaConfig fromJson(JsonObject root, Path file) {
        JsonFields f = new JsonFields(file, root, "");
        String act = f.optString("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new FormatException(file, "hidden_act is '" + act + "' but prunekit runs LLaMA's 'silu' MLP only");
        }
        int hidden = f.requireInt("hidden_size");
        int numLayers = f.requireInt("num_hidden_layers");
        int heads = f.requireInt(HEADS);
        int ffn = f.requireInt(FFN);
        int kvHeads = f.optInt(KV_HEADS, heads);
        int vocab = f.requireInt("vocab_size");
        if (numLayers <= 0) {
            throw new FormatException(file, "num_hidden_layers is " + numLayers + "; expected at least 1");
        }
        MemoryCheck.requireHeap(file + ": num_hidden_layers " + numLayers + " (the names and shapes of each layer's"
                + " tensors)", MemoryCheck.bytes(numLayers, LAYER_DESCRIPTION_BYTES), "fix num_hidden_layers");
        int headDim = f.has("head_dim") ? f.requireInt("head_dim") : defaultHeadDim(file, hidden, heads);
        List<LayerShape> layers = root.has(LAYER_SHAPES_KEY)
                ? perLayerShapes(file, f, numLayers, heads, kvHeads, ffn)
                : uniformShapes(file, numLayers, heads, kvHeads, ffn);
        try {
            return LlamaConfig.builder()
                    .vocabSize(vocab).hidden(hidden).headDim(headDim).layers(layers)
                    .rmsNormEps(f.optDouble("rms_norm_eps", 1e-6))
                    .ropeTheta(f.optDouble("rope_theta", 10000))
                    .ropeScaling(ropeScaling(file, f.get("rope_scaling")))
                    .tieWordEmbeddings(f.optBool("tie_word_embeddings", false))
                    .bosId(tokenId(f, "bos_token_id", 1))
                    .eosId(tokenId(f, "eos_token_id", 2))
                    .attentionBias(f.optBool("attention_bias", false))
                    .mlpBias(f.optBool("mlp_bias", false))
                    .maxPositions(f.optInt("max_position_embeddings", 2048))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, e.getMessage(), e);
        }
    }

    private static int defaultHeadDim(Path file, int hidden, int heads) {
        if (heads <= 0 || hidden % heads != 0) {
            throw new FormatException(file, "head_dim is absent and hidden_size " + hidden
                    + " is not a multiple of num_attention_heads " + heads + "; add head_dim");
        }
        return hidden / heads;
    }

    private static List<LayerShape> uniformShapes(Path file, int n, int heads, int kvHeads, int ffn) {
        if (heads <= 0 || kvHeads <= 0 || ffn <= 0 || heads % kvHeads != 0) {
            throw new FormatException(file, "num_attention_heads " + heads + ", num_key_value_heads " + kvHeads
                    + " and intermediate_size " + ffn + " must be positive, heads a multiple of KV heads"
                    + " (layers without attention or MLP need " + LAYER_SHAPES_KEY + ")");
        }
        return java.util.Collections.nCopies(n, new LayerShape(heads, kvHeads, ffn));
    }

    private static List<LayerShape> perLayerShapes(Path file, JsonFields f, int n, int heads, int kvHeads, int ffn) {
        JsonElement e = f.get(LAYER_SHAPES_KEY);
        if (e == null || !e.isJsonArray() || e.getAsJsonArray().size() != n) {
            throw f.wrongType(LAYER_SHAPES_KEY, "an array of " + n + " layer shapes (num_hidden_layers)", e);
        }
        List<LayerShape> layers = new ArrayList<>();
        int maxHeads = 0, maxKv = 0, maxFfn = 0;
        for (int i = 0; i < n; i++) {
            JsonElement item = e.getAsJsonArray().get(i);
            if (!item.isJsonObject()) {
                throw f.wrongType(LAYER_SHAPES_KEY + "[" + i + "]", "an object", item);
            }
            JsonFields l = new JsonFields(file, item.getAsJsonObject(), " in " + LAYER_SHAPES_KEY + "[" + i + "]");
            try {
                layers.add(new LayerShape(l.requireInt(HEADS), l.requireInt(KV_HEADS), l.requireInt(FFN)));
            } catch (IllegalArgumentException ex) {
                throw new FormatException(file, LAYER_SHAPES_KEY + "[" + i + "]: " + ex.getMessage(), ex);
            }
            maxHeads = Math.max(maxHeads, layers.get(i).queryHeads());
            maxKv = Math.max(maxKv, layers.get(i).kvHeads());
            maxFfn = Math.max(maxFfn, layers.get(i).ffn());
        }
        if (maxHeads != heads || maxKv != kvHeads || maxFfn != ffn) {
            throw new FormatException(file, "the stock keys (" + HEADS + " " + heads + ", " + KV_HEADS + " " + kvHeads
                    + ", " + FFN + " " + ffn + ") should be the maximum over " + LAYER_SHAPES_KEY + " (" + maxHeads
                    + ", " + maxKv + ", " + maxFfn + "); the file was edited by hand, write it again with prunekit");
        }
        return layers;
    }

    private static int tokenId(JsonFields f, String key, int fallback) {
        JsonElement e = f.get(key);
        if (e != null && e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            return a.isEmpty() ? fallback : f.toInt(key, a.get(0));
        }
        return f.optInt(key, fallback);
    }

    private static RopeScaling ropeScaling(Path file, JsonElement e) {
        if (e == null) {
            return RopeScaling.NONE;
        }
        if (!e.isJsonObject()) {
            throw new FormatException(file, "rope_scaling should be null or an object but is " + JsonFields.abbreviate(e));
        }
        JsonFields r = new JsonFields(file, e.getAsJsonObject(), " in rope_scaling");
        String type = r.optString("rope_type", r.optString("type", null));
        if ("llama3".equals(type)) {
            try {
                return new RopeScaling(RopeScaling.Type.LLAMA3, r.requireDouble("factor"),
                        r.requireDouble("low_freq_factor"), r.requireDouble("high_freq_factor"),
                        r.requireInt("original_max_position_embeddings"));
            } catch (IllegalArgumentException ex) {
                throw new FormatException(file, ex.getMessage(), ex);
            }
        }
        if ("default".equals(type)) {
            return RopeScaling.NONE;
        }
        throw new FormatException(file, "rope_scaling type '" + type + "' is not supported; prunekit supports"
                + " null (plain RoPE), 'default' and 'llama3'");
    }

    /** The config as HF JSON; {@code storedDtype} becomes {@code torch_dtype} (fp32 when null). */
    public static JsonObject toJson(LlamaConfig c, DType storedDtype) {
        JsonObject o = new JsonObject();
        JsonArray arch = new JsonArray();
        arch.add("LlamaForCausalLM");
        o.add("architectures", arch);
        o.addProperty("model_type", "llama");
        o.addProperty("vocab_size", c.vocabSize());
        o.addProperty("hidden_size", c.hidden());
        o.addProperty(FFN, c.layers().stream().mapToInt(LayerShape::ffn).max().orElseThrow());
        o.addProperty("num_hidden_layers", c.numLayers());
        o.addProperty(HEADS, c.layers().stream().mapToInt(LayerShape::queryHeads).max().orElseThrow());
        o.addProperty(KV_HEADS, c.layers().stream().mapToInt(LayerShape::kvHeads).max().orElseThrow());
        o.addProperty("head_dim", c.headDim());
        o.addProperty("hidden_act", "silu");
        o.addProperty("max_position_embeddings", c.maxPositions());
        o.addProperty("rms_norm_eps", c.rmsNormEps());
        o.addProperty("rope_theta", c.ropeTheta());
        o.add("rope_scaling", ropeScalingJson(c.ropeScaling()));
        o.addProperty("tie_word_embeddings", c.tieWordEmbeddings());
        o.addProperty("attention_bias", c.attentionBias());
        o.addProperty("attention_dropout", 0.0);
        o.addProperty("mlp_bias", c.mlpBias());
        o.addProperty("bos_token_id", c.bosId());
        o.addProperty("eos_token_id", c.eosId());
        o.addProperty("initializer_range", 0.02);
        o.addProperty("pretraining_tp", 1);
        o.addProperty("torch_dtype", (storedDtype == null ? DType.F32 : storedDtype).torchName());
        o.addProperty("use_cache", true);
        if (!c.isUniform()) {
            JsonArray shapes = new JsonArray();
            for (LayerShape s : c.layers()) {
                JsonObject l = new JsonObject();
                l.addProperty(HEADS, s.queryHeads());
                l.addProperty(KV_HEADS, s.kvHeads());
                l.addProperty(FFN, s.ffn());
                shapes.add(l);
            }
            o.add(LAYER_SHAPES_KEY, shapes);
        }
        return o;
    }

    private static JsonElement ropeScalingJson(RopeScaling r) {
        if (r.type() == RopeScaling.Type.NONE) {
            return JsonNull.INSTANCE;
        }
        JsonObject o = new JsonObject();
        o.addProperty("factor", r.factor());
        o.addProperty("low_freq_factor", r.lowFreqFactor());
        o.addProperty("high_freq_factor", r.highFreqFactor());
        o.addProperty("original_max_position_embeddings", r.originalMaxPositions());
        o.addProperty("rope_type", "llama3");
        return o;
    }

    /** Pretty-printed JSON text (2-space indent, nulls kept, trailing newline). */
    public static String toJsonString(LlamaConfig c, DType storedDtype) {
        return prettyJson(toJson(c, storedDtype));
    }

    /** Writes {@code config.json} text to {@code file} (through a temporary file and a rename). */
    public static void write(LlamaConfig c, DType storedDtype, Path file) {
        AtomicFiles.writeString(file, toJsonString(c, storedDtype));
    }

    static String prettyJson(JsonElement e) {
        return Json.format(e, Json.Layout.EXPANDED);
    }
}
