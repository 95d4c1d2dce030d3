package prunekit.core.engine;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import prunekit.core.PrunekitException;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;

/**
 * Up-front refusals, before anything is allocated: stages that hold a whole model in memory (generation,
 * recovery, the oracle) against the machine's physical memory, and any size read from a file or
 * an option (layers, widths, vocab, samples, batch, rank) against the Java heap. Each refusal is one
 * {@link PrunekitException} line with the estimate, the memory there is and what to do instead. Also the
 * batch split that bounds a forward's activations.
 */
public final class MemoryCheck {
    private MemoryCheck() {
    }

    /** fp32 bytes per parameter of a model in memory: the Java copy and the native arrays. */
    public static final int INFERENCE_BYTES_PER_PARAM = 8;
    /** fp32 bytes per parameter of a model being trained: Java copy, native weights, gradients, AdamW's two moments. */
    public static final int TRAINING_BYTES_PER_PARAM = 20;

    /**
     * Activation bytes one forward pass (inference, no cache) may hold for its batch, whatever
     * {@code --batch} asks: batches are split to stay within it ({@link #forwardRows}).
     */
    public static final long FORWARD_ACTIVATION_BYTES = 1L << 30;

    /**
     * fp32 activation bytes one row of {@code t} tokens adds at the peak of an inference forward:
     * two (heads, t, t) attention score copies of the widest layer (the engine frees them as it
     * goes), the logits with their log-softmax, and every layer's (t, width) intermediates, which
     * live until the forward returns.
     */
    public static long forwardBytesPerRow(LlamaConfig c, int t) {
        long heads = 0;
        long widths = 0;
        for (int i = 0; i < c.numLayers(); i++) {
            LayerShape s = c.layer(i);
            heads = Math.max(heads, s.queryHeads());
            widths += 6L * c.hidden() + 3L * s.queryHeads() * c.headDim() + 4L * s.kvHeads() * c.headDim()
                    + 5L * s.ffn();
        }
        return 4L * t * (2L * heads * t + 2L * c.vocabSize() + widths);
    }

    /**
     * Rows of {@code t} tokens per forward pass: {@code batch}, or fewer so that they stay within
     * {@code budget} bytes by {@link #forwardBytesPerRow}; at least one.
     */
    public static int forwardRows(LlamaConfig c, int t, int batch, long budget) {
        if (batch < 1 || t < 1) {
            throw new IllegalArgumentException("a batch of " + batch + " rows of " + t + " tokens: both must be >= 1");
        }
        return (int) Math.max(1, Math.min(batch, budget / forwardBytesPerRow(c, t)));
    }

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
            throw new PrunekitException(String.format(Locale.ROOT,
                    "%s holds the whole model in memory: it needs about %.1f GB but this machine has %.1f GB; %s",
                    stage, need / 1e9, available / 1e9, instead));
        }
    }

    /** The product of {@code factors} (element counts, bytes per element), or Long.MAX_VALUE when it overflows. */
    public static long bytes(long... factors) {
        long p = 1;
        for (long f : factors) {
            if (f < 0) {
                throw new IllegalArgumentException("negative size factor " + f);
            }
            try {
                p = Math.multiplyExact(p, f);
            } catch (ArithmeticException overflow) {
                return Long.MAX_VALUE;
            }
        }
        return p;
    }

    /** The most the Java heap can hold: Runtime.maxMemory(), capped by the physical memory. */
    public static long heapBytes() {
        return Math.min(Runtime.getRuntime().maxMemory(), physicalBytes());
    }

    /**
     * Throws before {@code what} is allocated on the Java heap when its {@code need} bytes exceed
     * {@link #heapBytes()}: "{@code what} needs about X GB but the Java heap holds at most Y GB; {@code fix}"
     * ("more than 9.2e18 bytes" for an estimate that overflowed).
     */
    public static void requireHeap(String what, long need, String fix) {
        long max = heapBytes();
        if (need > max) {
            throw new PrunekitException(String.format(Locale.ROOT,
                    "%s needs %s but the Java heap holds at most %s; %s", what,
                    need == Long.MAX_VALUE ? "more than 9.2e18 bytes" : "about " + size(need), size(max), fix));
        }
    }

    /** "53.9 GB" or "12.0 MB". */
    static String size(long bytes) {
        return bytes >= 1e9 ? String.format(Locale.ROOT, "%.1f GB", bytes / 1e9)
                : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
