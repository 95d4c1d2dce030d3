package prunekit.core.io;

import java.util.Locale;
import prunekit.core.model.FloatTensor;

/**
 * The scan for NaN and infinite weights that every file read goes through ({@link FileTensorSource}):
 * a tensor holding any is refused with its counts ("model.layers.3.mlp.down_proj.weight: 12 NaN, 0 +Inf,
 * 0 -Inf of 1048576 values"), unless the command runs with {@code --allow-non-finite}.
 *
 * <p>The permission is process-wide because a command opens its models in many places; the CLI sets it
 * from the option for the length of one command ({@link #allow}) and clears it afterwards.
 */
public final class NonFinite {
    private static volatile boolean allowed;

    private NonFinite() {
    }

    /** Lets the reads of this process load non-finite weights ({@code --allow-non-finite}), or not. */
    public static void allow(boolean allow) {
        allowed = allow;
    }

    /**
     * {@code read} with the scan off, for a reader that checks the values itself and acts on them
     * (resume sets a non-finite checkpoint aside instead of failing on it).
     */
    public static <T> T unscanned(java.util.function.Supplier<T> read) {
        boolean was = allowed;
        allowed = true;
        try {
            return read.get();
        } finally {
            allowed = was;
        }
    }

    /** {@code t}, once the scan found only finite values in it (or the scan is off); else a FormatException. */
    static FloatTensor check(String source, String name, FloatTensor t) {
        if (allowed) {
            return t;
        }
        float[] d = t.data();
        boolean bad = false;
        for (float v : d) {
            if (!Float.isFinite(v)) {
                bad = true;
                break;
            }
        }
        if (!bad) {
            return t;
        }
        long nan = 0, pos = 0, neg = 0;
        for (float v : d) {
            if (Float.isNaN(v)) {
                nan++;
            } else if (v == Float.POSITIVE_INFINITY) {
                pos++;
            } else if (v == Float.NEGATIVE_INFINITY) {
                neg++;
            }
        }
        throw new FormatException(java.nio.file.Path.of(source), String.format(Locale.ROOT,
                "%s: %d NaN, %d +Inf, %d -Inf of %d values; the weights are damaged (a diverged run or a broken"
                        + " conversion); pass --allow-non-finite to load them anyway", name, nan, pos, neg, d.length));
    }
}
