package prunekit.export;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.io.TensorSource;
import prunekit.core.io.HfConfigJson;
import prunekit.core.model.DType;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;

/**
 * An ONNX model folder in the layout of the HF ONNX ecosystem (what transformers.js and
 * onnxruntime-genai load): config.json, generation_config.json, tokenizer.json,
 * tokenizer_config.json, {@code onnx/model.onnx} (+ {@code onnx/model.onnx_data} when the weights
 * are external) and genai_config.json. The decoder's I/O names already are the ecosystem's:
 * input_ids, attention_mask, position_ids, past_key_values.N.key|value → logits, present.N.key|value.
 * The folder is written to a temporary sibling and renamed when complete.
 */
public final class OnnxFolderWriter {
    public static final String MODEL_FILE = "onnx/model.onnx";
    public static final String DATA_FILE = "model.onnx_data";
    public static final String GENAI_CONFIG_FILE = "genai_config.json";

    private OnnxFolderWriter() {
    }

    /**
     * Writes {@code m} to {@code outDir}. Only a uniform model has this layout: the runtimes size the
     * KV cache from one {@code num_key_value_heads}.
     */
    public static OnnxWriter.Result write(Model m, Path outDir, OnnxWriter.Options options) {
        LlamaConfig c = m.config();
        if (!c.isUniform()) {
            throw new IllegalArgumentException("cannot write an ONNX model folder for a model with per-layer shapes:"
                    + " transformers.js and onnxruntime-genai size every layer's KV cache alike; export the bare .onnx"
                    + " (prunekit export MODEL OUT.onnx) or GGUF instead");
        }
        if (m.tokenizer() == null) {
            throw new IllegalArgumentException("cannot write an ONNX model folder without a tokenizer; load the model"
                    + " with its tokenizer (--tokenizer FILE)");
        }
        OnnxWriter.Result[] result = new OnnxWriter.Result[1];
        HfCheckpoint.writeDirectory(outDir, false, tmp -> {
            HfCheckpoint.writeConfigFiles(c, tmp, DType.F32);
            HfCheckpoint.writeTokenizerFiles(m, tmp);
            Path model = tmp.resolve(MODEL_FILE);
            Files.createDirectories(model.getParent());
            result[0] = OnnxWriter.write(TensorSource.of(m.weights(), m.source()), model, options, DATA_FILE);
            if (result[0].data() != null) {
                markExternalData(tmp.resolve(HfConfigJson.FILE_NAME));
            }
            Files.writeString(tmp.resolve(GENAI_CONFIG_FILE), genaiConfig(c), StandardCharsets.UTF_8);
        });
        Path dir = outDir.toAbsolutePath().normalize();
        OnnxWriter.Result r = result[0];
        return new OnnxWriter.Result(dir.resolve(MODEL_FILE), r.data() == null ? null : dir.resolve("onnx").resolve(DATA_FILE),
                r.options(), r.nodes(), r.initializers(), r.weightBytes(), r.modelFileBytes());
    }

    /** transformers.js reads {@code transformers.js_config.use_external_data_format} to fetch model.onnx_data. */
    private static void markExternalData(Path config) throws IOException {
        JsonObject o = JsonParser.parseString(Files.readString(config)).getAsJsonObject();
        JsonObject tjs = new JsonObject();
        tjs.addProperty("use_external_data_format", true);
        o.add("transformers.js_config", tjs);
        Files.writeString(config, new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create()
                .toJson(o) + "\n", StandardCharsets.UTF_8);
    }

    /** onnxruntime-genai's genai_config.json for a LLaMA decoder with our I/O names, greedy search by default. */
    static String genaiConfig(LlamaConfig c) {
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("input_ids", IoNames.INPUT_IDS);
        inputs.put("attention_mask", IoNames.ATTENTION_MASK);
        inputs.put("position_ids", IoNames.POSITION_IDS);
        inputs.put("past_key_names", "past_key_values.%d.key");
        inputs.put("past_value_names", "past_key_values.%d.value");
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("logits", IoNames.LOGITS);
        outputs.put("present_key_names", "present.%d.key");
        outputs.put("present_value_names", "present.%d.value");
        Map<String, Object> decoder = new LinkedHashMap<>();
        Map<String, Object> session = new LinkedHashMap<>(); // not Map.of: its order changes from one JVM to the next
        session.put("log_id", "onnxruntime-genai");
        session.put("provider_options", new Object[0]);
        decoder.put("session_options", session);
        decoder.put("filename", MODEL_FILE);
        decoder.put("head_size", c.headDim());
        decoder.put("hidden_size", c.hidden());
        decoder.put("inputs", inputs);
        decoder.put("outputs", outputs);
        decoder.put("num_attention_heads", c.layer(0).queryHeads());
        decoder.put("num_hidden_layers", c.numLayers());
        decoder.put("num_key_value_heads", c.layer(0).kvHeads());
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("bos_token_id", c.bosId());
        model.put("context_length", c.maxPositions());
        model.put("decoder", decoder);
        model.put("eos_token_id", c.eosId());
        model.put("pad_token_id", c.eosId());
        model.put("type", "llama");
        model.put("vocab_size", c.vocabSize());
        Map<String, Object> search = new LinkedHashMap<>();
        search.put("do_sample", false);
        search.put("max_length", c.maxPositions());
        search.put("min_length", 0);
        search.put("num_beams", 1);
        search.put("num_return_sequences", 1);
        search.put("past_present_share_buffer", false);
        search.put("repetition_penalty", 1.0);
        search.put("temperature", 1.0);
        search.put("top_k", 1);
        search.put("top_p", 1.0);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("model", model);
        root.put("search", search);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n";
    }
}
