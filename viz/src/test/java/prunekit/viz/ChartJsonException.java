package prunekit.viz;

import prunekit.core.PrunekitException;

/**
 * A chart JSON file that cannot be drawn: not JSON, an unknown {@code "chart"}, a missing, unknown
 * or ill-typed field, or values that break the chart's rules. The message starts with the file.
 */
public final class ChartJsonException extends PrunekitException {
    private static final long serialVersionUID = 1L;
    private final String source;

    public ChartJsonException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
    }

    /** The file (or other source name) that was read. */
    public String source() {
        return source;
    }
}
