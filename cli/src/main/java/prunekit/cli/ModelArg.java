package prunekit.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import prunekit.core.io.LazyModel;
import prunekit.core.io.ModelLoader;

/**
 * The MODEL argument shared by commands: an HF directory, a .gguf or a llama2.c .bin (with
 * --tokenizer). Omitted, it is the embedded default model (stories260K, shipped in models/).
 */
public final class ModelArg {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL",
            description = "HF checkpoint directory, .gguf, or llama2.c .bin (default: the embedded stories260K.gguf)")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "tokenizer to use instead of the model's own (tokenizer.json, or llama2.c tokenizer.bin for .bin models)")
    Path tokenizer;

    @Mixin AllowNonFinite allowNonFinite;

    public Path path() {
        return model != null ? model : defaultModel();
    }

    /** The model without its weights read (they are read on demand); the caller closes it. */
    public LazyModel open() {
        return ModelLoader.open(path(), tokenizer);
    }

    /** The bundled stories260K model: $PRUNEKIT_HOME/models/stories260K.gguf, else ./models/. */
    public static Path defaultModel() {
        String home = System.getProperty("prunekit.home", System.getenv("PRUNEKIT_HOME"));
        Path p = (home != null ? Path.of(home) : Path.of("")).resolve("models").resolve("stories260K.gguf");
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("no MODEL given and the embedded default " + p
                    + " is missing; pass a model path or run from the prunekit checkout");
        }
        return p;
    }
}
