package prunekit.pipeline.recipe;

import prunekit.core.PrunekitException;

/**
 * A recipe that cannot run as written: the message is one line, {@code FILE:LINE: KEY.PATH: what is
 * wrong; what is allowed}, so the CLI prints it as it is and exits with the bad-input code.
 */
public final class RecipeException extends PrunekitException {
    public RecipeException(String file, int line, String path, String message) {
        super(file + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }
}
