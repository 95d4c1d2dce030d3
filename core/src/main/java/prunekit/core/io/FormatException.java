package prunekit.core.io;

import java.nio.file.Path;
import prunekit.core.PrunekitException;

/**
 * A file that cannot be read as what it claims to be. The message names the file and says what was
 * expected, what was found and, where it helps, what to do; the CLI prints it as one line. Every parser
 * (safetensors, GGUF, llama2.c, config.json, tokenizer.json, plan.json, scores.json, recipes) fails with
 * this type (or another {@link PrunekitException}) and nothing else.
 */
public class FormatException extends PrunekitException {
    private static final long serialVersionUID = 1L;
    private final Path file;

    public FormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public FormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
