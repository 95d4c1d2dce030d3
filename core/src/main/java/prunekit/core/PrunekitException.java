package prunekit.core;

/**
 * prunekit's own error type: an input or a request that prunekit refuses, with a message written for
 * the user. It is the one family the CLI prints as a single line (exit code 2, no stack trace);
 * anything else reaching the CLI is treated as a bug in prunekit.
 *
 * <p>The message is one line that names the input (file, tensor, option), says what was expected and
 * what was found, and what to do, e.g. {@code "--lora-rank 100000 exceeds min(in, out) = 64 of layer
 * 0's q_proj; pass --lora-rank 64 or less"}.
 *
 * <p>Subclass: {@link prunekit.core.io.FormatException} (a file that is not what it claims to be,
 * thrown by every parser).
 * Requests that cannot be served (an option out of range, a size that does not fit in memory, non-finite
 * weights) throw this class itself. A parser that meets an input it cannot read throws a member of this
 * family and nothing else, which is what the fuzz tests assert.
 */
public class PrunekitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PrunekitException(String message) {
        super(message);
    }

    public PrunekitException(String message, Throwable cause) {
        super(message, cause);
    }
}
