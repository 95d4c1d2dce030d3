package prunekit.core.io;

import java.nio.file.Path;

/**
 * A file that cannot be read as what it claims to be. The message names the file and says what was
 * expected, what was found and, where it helps, what to do; the CLI prints it as one line.
 */
public class FormatException extends RuntimeException {
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
