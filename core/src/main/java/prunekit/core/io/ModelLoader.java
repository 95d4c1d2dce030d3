package prunekit.core.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import prunekit.core.model.Model;
import prunekit.core.tokenize.HfTokenizer;
import prunekit.core.tokenize.Tokenizer;

/**
 * Opens a model from whatever the user points at: an HF checkpoint directory, a {@code .gguf} file,
 * or a llama2.c {@code .bin} (which needs its {@code tokenizer.bin}). A tokenizer given explicitly
 * replaces the one found with the model ({@code tokenizer.json} or a llama2.c tokenizer file).
 */
public final class ModelLoader {
    private ModelLoader() {
    }

    public enum Format { HF, GGUF, LLAMA2C }

    public static Format detect(Path model) {
        if (Files.isDirectory(model)) {
            return Format.HF;
        }
        if (!Files.isRegularFile(model)) {
            throw new FormatException(model, "no such file or directory; give an HF checkpoint directory, a .gguf or a llama2.c .bin");
        }
        String name = model.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".gguf")) {
            return Format.GGUF;
        }
        if (name.endsWith(".bin")) {
            return Format.LLAMA2C;
        }
        if (name.equals("config.json") || name.endsWith(".safetensors")) {
            throw new FormatException(model, "pass the checkpoint's directory, not one of its files");
        }
        throw new FormatException(model, "unknown model format; give an HF checkpoint directory, a .gguf or a llama2.c .bin");
    }

    /** Loads {@code model} into memory; {@code tokenizer} may be null (use the one that comes with the model). */
    public static Model load(Path model, Path tokenizer) {
        try (LazyModel m = open(model, tokenizer)) {
            return m.load();
        }
    }

    /**
     * Opens {@code model} without reading its weights (headers, config and tokenizer only);
     * {@code tokenizer} may be null (use the one that comes with the model).
     */
    public static LazyModel open(Path model, Path tokenizer) {
        Format f = detect(model);
        Path tok = tokenizer;
        if (f == Format.LLAMA2C && tok == null) {
            tok = model.resolveSibling("tokenizer.bin");
            if (!Files.isRegularFile(tok)) {
                throw new FormatException(model, "a llama2.c checkpoint needs its tokenizer: pass --tokenizer tokenizer.bin");
            }
        }
        if (f == Format.LLAMA2C) {
            Llama2cReader.checkTokenizerFile(model, tok);
        }
        TensorSource w = TensorSource.open(model);
        try {
            Tokenizer t;
            if (f == Format.LLAMA2C) {
                t = Llama2cReader.readTokenizer(tok, w.config().vocabSize());
            } else if (tok != null) {
                t = loadTokenizer(tok);
            } else {
                t = f == Format.GGUF ? GgufReader.readTokenizer(model)
                        : HfCheckpoint.readTokenizer(model.resolve(HfCheckpoint.TOKENIZER_FILE), w.config());
            }
            return new LazyModel(w, t);
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
    }

    /** A tokenizer on its own: {@code tokenizer.json}, a {@code .gguf} (its vocab) or a checkpoint directory. */
    public static Tokenizer loadTokenizer(Path path) {
        if (Files.isDirectory(path)) {
            Path json = path.resolve("tokenizer.json");
            if (!Files.isRegularFile(json)) {
                throw new FormatException(path, "no tokenizer.json in this directory");
            }
            return HfTokenizer.load(json);
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".json")) {
            return HfTokenizer.load(path);
        }
        if (name.endsWith(".gguf")) {
            return GgufReader.readTokenizer(path);
        }
        throw new FormatException(path, "unknown tokenizer format; give a tokenizer.json, a .gguf, or a model directory");
    }
}
