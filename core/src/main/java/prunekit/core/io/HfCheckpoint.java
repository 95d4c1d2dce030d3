package prunekit.core.io;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.Model;
import prunekit.core.tokenize.HfTokenizer;
import prunekit.core.tokenize.Tokenizer;

/**
 * A Hugging Face LLaMA checkpoint directory: {@code config.json}, {@code model.safetensors} (or
 * shards with {@code model.safetensors.index.json}), optionally {@code tokenizer.json}.
 *
 * <p>Reading computes the config from the weights' shapes and checks it against
 * {@code config.json} ({@link ConfigFromWeights}). HF keeps q_proj/k_proj in the rotate-half RoPE
 * layout, which is prunekit's in-memory layout, so nothing is permuted. Writing puts every file
 * into a sibling temporary directory that is renamed to the output directory when complete.
 */
public final class HfCheckpoint {
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String TOKENIZER_CONFIG_FILE = "tokenizer_config.json";
    public static final String GENERATION_CONFIG_FILE = "generation_config.json";

    /**
     * How to write: {@code dtype} null keeps the weights' stored dtype; {@code overwrite} replaces
     * a non-empty output directory; weights above {@code maxShardBytes} are sharded.
     */
    public record WriteOptions(DType dtype, boolean overwrite, long maxShardBytes) {
        public WriteOptions {
            if (maxShardBytes <= 0) {
                throw new IllegalArgumentException("max shard size must be positive, got " + maxShardBytes);
            }
        }

        public static WriteOptions defaults() {
            return new WriteOptions(null, false, SafetensorsWriter.DEFAULT_MAX_SHARD_BYTES);
        }

        public WriteOptions withDtype(DType d) {
            return new WriteOptions(d, overwrite, maxShardBytes);
        }

        public WriteOptions withOverwrite(boolean o) {
            return new WriteOptions(dtype, o, maxShardBytes);
        }

        public WriteOptions withMaxShardBytes(long m) {
            return new WriteOptions(dtype, overwrite, m);
        }
    }

    private HfCheckpoint() {
    }

    /** Reads the checkpoint in {@code dir} into memory (fp32): every tensor through {@link #openWeights}. */
    public static Model read(Path dir) {
        LlamaWeights weights;
        try (TensorSource w = openWeights(dir)) {
            weights = w.readAll();
        }
        Tokenizer tokenizer = readTokenizer(dir.resolve(TOKENIZER_FILE), weights.config());
        return new Model(weights.config(), weights, tokenizer, dir.toString());
    }

    /** The checkpoint's weights, read on demand; opening reads config.json and the headers only. */
    static TensorSource openWeights(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new FormatException(dir, "not a directory; expected a Hugging Face checkpoint directory"
                    + " with config.json and model.safetensors");
        }
        Path configFile = dir.resolve(HfConfigJson.FILE_NAME);
        if (!Files.isRegularFile(configFile)) {
            throw new FormatException(dir, "no " + HfConfigJson.FILE_NAME + " in this directory; expected a Hugging"
                    + " Face checkpoint directory");
        }
        LlamaConfig declared = HfConfigJson.read(configFile);
        SafetensorsShards w = SafetensorsShards.open(dir);
        try {
            LlamaConfig config = ConfigFromWeights.derive(declared, w, configFile);
            Map<String, int[]> shapes = new LinkedHashMap<>();
            Map<DType, Long> byDtype = new EnumMap<>(DType.class);
            for (String name : LlamaWeights.expectedShapes(config).keySet()) {
                shapes.put(name, w.shape(name));
                byDtype.merge(w.dtype(name), FloatTensor.numel(w.shape(name)), Long::sum);
            }
            DType stored = byDtype.entrySet().stream().max(Map.Entry.comparingByValue())
                    .map(Map.Entry::getKey).orElse(DType.F32);
            return new FileTensorSource(config, stored, dir, shapes, w::read, w);
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
    }

    /** {@code tokenizer.json} when present (checked against the embedding rows), else null. */
    static Tokenizer readTokenizer(Path file, LlamaConfig config) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        HfTokenizer tok = HfTokenizer.load(file);
        if (tok.vocabSize() > config.vocabSize()) {
            tok.close();
            throw new FormatException(file, "the tokenizer has " + tok.vocabSize() + " tokens but vocab_size (the"
                    + " embedding rows) is " + config.vocabSize() + "; use the tokenizer that belongs to these weights");
        }
        return tok;
    }

    /** Writes {@code model} to {@code outDir} in {@code dtypeOrNull} (null: the stored dtype). */
    public static void write(Model model, Path outDir, DType dtypeOrNull) {
        writeWith(model, outDir, WriteOptions.defaults().withDtype(dtypeOrNull));
    }

    /** As {@link #writeWith(Model, Path, WriteOptions, ModelCard)} with the card {@link ModelCard#of} the model. */
    public static void writeWith(Model model, Path outDir, WriteOptions options) {
        writeWith(model, outDir, options, ModelCard.of(model));
    }

    /**
     * Writes {@code model} to {@code outDir}: config.json, generation_config.json, the weights,
     * README.md (the model card) and, with a tokenizer, tokenizer.json and tokenizer_config.json.
     * {@code outDir} must be absent or empty unless {@code options.overwrite()}.
     */
    public static void writeWith(Model model, Path outDir, WriteOptions options, ModelCard card) {
        DType dtype = options.dtype() != null ? options.dtype() : model.weights().storedDtype();
        write(model.config(), SafetensorsWriter.Tensors.of(model.weights().tensors()), model.tokenizer(), outDir,
                options.withDtype(dtype), card.render(model.config()));
    }

    /**
     * Writes the weights of {@code weights} read one tensor at a time (in {@code options.dtype()},
     * or their stored dtype when null), with {@code tokenizer} (may be null).
     */
    public static void write(TensorSource weights, Tokenizer tokenizer, Path outDir, WriteOptions options) {
        DType dtype = options.dtype() != null ? options.dtype() : weights.storedDtype();
        write(weights.config(), new SafetensorsWriter.Tensors(weights.shapes(), weights::read), tokenizer, outDir,
                options.withDtype(dtype), null);
    }

    /** As below, without a model card. */
    public static void write(LlamaConfig config, SafetensorsWriter.Tensors tensors, Tokenizer tokenizer, Path outDir,
                             WriteOptions options) {
        write(config, tensors, tokenizer, outDir, options, null);
    }

    /**
     * Writes a checkpoint of {@code config} whose tensors are produced one at a time (read lazily,
     * generated): never more than one tensor in memory. {@code options.dtype()} must be given;
     * {@code tokenizer} and {@code card} (README.md's text) may be null. Written in a temporary
     * directory renamed when complete.
     */
    public static void write(LlamaConfig config, SafetensorsWriter.Tensors tensors, Tokenizer tokenizer, Path outDir,
                             WriteOptions options, String card) {
        if (options.dtype() == null) {
            throw new IllegalArgumentException("a streamed checkpoint needs its dtype (f32, f16 or bf16)");
        }
        if (!tensors.shapes().keySet().equals(LlamaWeights.expectedShapes(config).keySet())) {
            throw new IllegalArgumentException("the tensors to write are not those of the config");
        }
        writeDirectory(outDir, options.overwrite(), tmp -> {
            writeConfigFiles(config, tmp, options.dtype());
            SafetensorsWriter.writeCheckpointWeights(tmp, tensors, options.dtype(), options.maxShardBytes());
            writeTokenizerFiles(config, tokenizer, tmp);
            if (card != null) {
                AtomicFiles.writeString(tmp.resolve(ModelCard.FILE_NAME), card);
            }
        });
    }

    /**
     * Writes a model folder atomically: {@code body} fills a temporary sibling of {@code outDir},
     * which then replaces it. {@code outDir} must be absent or empty unless {@code overwrite}.
     */
    public static void writeDirectory(Path outDir, boolean overwrite, AtomicFiles.FileBody body) {
        Path out = outDir.toAbsolutePath().normalize();
        checkTarget(out, overwrite);
        AtomicFiles.writeDirectory(out, body);
    }

    private static void checkTarget(Path out, boolean overwrite) {
        if (!Files.exists(out)) {
            return;
        }
        if (!Files.isDirectory(out)) {
            throw new IllegalArgumentException("output " + out + " exists and is not a directory; choose another path");
        }
        if (!overwrite && !AtomicFiles.isEmptyDir(out)) {
            throw new IllegalArgumentException("output directory " + out + " exists and is not empty; choose another"
                    + " directory or ask for overwrite");
        }
    }

    /** config.json (with {@code torch_dtype} = {@code dtype}) and generation_config.json. */
    public static void writeConfigFiles(LlamaConfig c, Path dir, DType dtype) throws IOException {
        AtomicFiles.writeString(dir.resolve(HfConfigJson.FILE_NAME), HfConfigJson.toJsonString(c, dtype));
        JsonObject gen = new JsonObject();
        gen.addProperty("bos_token_id", c.bosId());
        gen.addProperty("eos_token_id", c.eosId());
        AtomicFiles.writeString(dir.resolve(GENERATION_CONFIG_FILE), HfConfigJson.prettyJson(gen));
    }

    /** tokenizer.json and tokenizer_config.json, when the model has a tokenizer. */
    public static void writeTokenizerFiles(Model model, Path dir) throws IOException {
        writeTokenizerFiles(model.config(), model.tokenizer(), dir);
    }

    private static void writeTokenizerFiles(LlamaConfig c, Tokenizer tok, Path dir) throws IOException {
        if (tok != null) {
            String json = tok.toHuggingFaceJson();
            AtomicFiles.writeString(dir.resolve(TOKENIZER_FILE), json);
            JsonObject tc = TokenizerConfigJson.build(json, c.bosId(), c.eosId(), c.maxPositions());
            AtomicFiles.writeString(dir.resolve(TOKENIZER_CONFIG_FILE), HfConfigJson.prettyJson(tc));
        }
    }
}
