package prunekit.core.io;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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

    /** Reads the checkpoint in {@code dir} into memory (fp32). */
    public static Model read(Path dir) {
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
        LlamaWeights weights;
        try (SafetensorsShards w = SafetensorsShards.open(dir)) {
            LlamaConfig config = ConfigFromWeights.derive(declared, w, configFile);
            weights = readWeights(config, w);
        }
        Tokenizer tokenizer = readTokenizer(dir.resolve(TOKENIZER_FILE), weights.config());
        return new Model(weights.config(), weights, tokenizer, dir.toString());
    }

    private static LlamaWeights readWeights(LlamaConfig config, SafetensorsShards w) {
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        Map<DType, Long> byDtype = new EnumMap<>(DType.class);
        for (String name : LlamaWeights.expectedShapes(config).keySet()) {
            FloatTensor t = w.read(name);
            tensors.put(name, t);
            byDtype.merge(w.dtype(name), t.numel(), Long::sum);
        }
        DType stored = byDtype.entrySet().stream().max(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey).orElse(DType.F32);
        return new LlamaWeights(config, tensors, stored);
    }

    private static Tokenizer readTokenizer(Path file, LlamaConfig config) {
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
        writeDirectory(outDir, options.overwrite(), tmp -> {
            writeFiles(model, tmp, options);
            Files.writeString(tmp.resolve(ModelCard.FILE_NAME), card.render(model.config()), StandardCharsets.UTF_8);
        });
    }

    /** Fills a temporary directory. */
    @FunctionalInterface
    public interface DirectoryBody {
        void write(Path tmpDir) throws IOException;
    }

    /**
     * Writes a model folder atomically: {@code body} fills a temporary sibling of {@code outDir},
     * which then replaces it. {@code outDir} must be absent or empty unless {@code overwrite}.
     */
    public static void writeDirectory(Path outDir, boolean overwrite, DirectoryBody body) {
        Path out = outDir.toAbsolutePath().normalize();
        checkTarget(out, overwrite);
        Path tmp = null;
        try {
            tmp = AtomicFiles.createSibling(out, "tmp", true);
            body.write(tmp);
            install(tmp, out);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                AtomicFiles.deleteTree(tmp);
            }
        }
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

    private static void writeFiles(Model model, Path dir, WriteOptions options) throws IOException {
        DType dtype = options.dtype() != null ? options.dtype() : model.weights().storedDtype();
        writeConfigFiles(model.config(), dir, dtype);
        Map<String, FloatTensor> tensors = model.weights().tensors();
        if (SafetensorsWriter.dataBytes(tensors, dtype) <= options.maxShardBytes()) {
            SafetensorsWriter.write(dir.resolve(SafetensorsWriter.SINGLE_FILE), tensors, dtype);
        } else {
            SafetensorsWriter.writeSharded(dir, tensors, dtype, options.maxShardBytes());
        }
        writeTokenizerFiles(model, dir);
    }

    /** config.json (with {@code torch_dtype} = {@code dtype}) and generation_config.json. */
    public static void writeConfigFiles(LlamaConfig c, Path dir, DType dtype) throws IOException {
        Files.writeString(dir.resolve(HfConfigJson.FILE_NAME), HfConfigJson.toJsonString(c, dtype), StandardCharsets.UTF_8);
        JsonObject gen = new JsonObject();
        gen.addProperty("bos_token_id", c.bosId());
        gen.addProperty("eos_token_id", c.eosId());
        Files.writeString(dir.resolve(GENERATION_CONFIG_FILE), HfConfigJson.prettyJson(gen), StandardCharsets.UTF_8);
    }

    /** tokenizer.json and tokenizer_config.json, when the model has a tokenizer. */
    public static void writeTokenizerFiles(Model model, Path dir) throws IOException {
        Tokenizer tok = model.tokenizer();
        if (tok != null) {
            LlamaConfig c = model.config();
            String json = tok.toHuggingFaceJson();
            Files.writeString(dir.resolve(TOKENIZER_FILE), json, StandardCharsets.UTF_8);
            JsonObject tc = TokenizerConfigJson.build(json, c.bosId(), c.eosId(), c.maxPositions());
            Files.writeString(dir.resolve(TOKENIZER_CONFIG_FILE), HfConfigJson.prettyJson(tc), StandardCharsets.UTF_8);
        }
    }

    /** Renames the finished {@code tmp} to {@code out}, moving an existing {@code out} aside first. */
    private static void install(Path tmp, Path out) throws IOException {
        Path old = null;
        if (Files.exists(out)) {
            if (AtomicFiles.isEmptyDir(out)) {
                Files.delete(out);
            } else {
                old = AtomicFiles.createSibling(out, "old", true);
                Files.delete(old);
                AtomicFiles.move(out, old, false);
            }
        }
        try {
            AtomicFiles.move(tmp, out, false);
        } catch (IOException e) {
            if (old != null) {
                AtomicFiles.move(old, out, false);
            }
            throw e;
        }
        if (old != null) {
            AtomicFiles.deleteTree(old);
        }
    }
}
