package prunekit.core.engine;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import prunekit.core.model.LlamaConfig;

/**
 * Up-front refusals for stages that hold a whole model in memory (generation, recovery, taylor,
 * the oracle): what they need, estimated from the config, against the machine's physical memory,
 * with what to do instead, before anything is loaded.
 */
public final class MemoryCheck {
    private MemoryCheck() {
    }

    /** fp32 bytes per parameter of a model in memory: the Java copy and the native arrays. */
    public static final int INFERENCE_BYTES_PER_PARAM = 8;
    /** fp32 bytes per parameter of a model being trained: Java copy, native weights, gradients, AdamW's two moments. */
    public static final int TRAINING_BYTES_PER_PARAM = 20;

    /** The machine's physical memory in bytes. */
    public static long physicalBytes() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
    }

    /** {@code perParam} bytes for every parameter of {@code c}. */
    public static long wholeModel(LlamaConfig c, int perParam) {
        return c.parameterCount() * perParam;
    }

    /**
     * Throws when {@code need} bytes exceed {@code available}: one line naming the stage, the
     * estimate, the memory there is and {@code instead} (what to do).
     */
    public static void require(String stage, long need, long available, String instead) {
        if (need > available) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s holds the whole model in memory: it needs about %.1f GB but this machine has %.1f GB; %s",
                    stage, need / 1e9, available / 1e9, instead));
        }
    }
}
