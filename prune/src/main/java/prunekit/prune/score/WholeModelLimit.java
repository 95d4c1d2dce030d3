package prunekit.prune.score;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;

/**
 * The scorers that hold the whole model in memory (taylor: weights, their native copy, the
 * gradients and the activations autograd keeps; the oracle: the weights, their native copy and a
 * cut copy per probe), what they need, and a refusal up front when the machine has less.
 */
public final class WholeModelLimit {
    private WholeModelLimit() {
    }

    /** Whether {@code s} needs every weight in memory at once. */
    public static boolean holdsWholeModel(ImportanceScorer s) {
        return s.needsGradients() || s.name() == ScorerName.ORACLE;
    }

    /**
     * Bytes a whole-model scorer needs, roughly: 16 per parameter with gradients (Java fp32, native
     * fp32, gradient, its copy) or 12 for the oracle, plus with gradients the activations autograd
     * keeps for one batch of {@code batch} × {@code seqLen} tokens.
     */
    public static long bytesNeeded(ImportanceScorer s, LlamaConfig c, int batch, int seqLen) {
        long p = c.parameterCount();
        if (!s.needsGradients()) {
            return 12 * p;
        }
        long tokens = (long) batch * seqLen;
        long act = 0;
        for (int i = 0; i < c.numLayers(); i++) {
            LayerShape l = c.layer(i);
            act += tokens * (12L * c.hidden() + 4L * l.ffn()) * 4 + 2L * batch * l.queryHeads() * seqLen * seqLen * 4;
        }
        return 16 * p + act + tokens * c.vocabSize() * 4 * 3;
    }

    /** Throws, saying what is needed and what to do instead, when {@code s} needs more than {@code available} bytes. */
    public static void check(ImportanceScorer s, LlamaConfig c, int batch, int seqLen, long available) {
        long need = bytesNeeded(s, c, batch, seqLen);
        if (need > available) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "scorer %s holds the whole model in memory: it needs about %.1f GB but this machine has %.1f GB;"
                            + " use a streamed scorer (magnitude, wanda, fluctuation, activation, block-influence)"
                            + " or run it on a machine with more memory",
                    s.name().id(), need / 1e9, available / 1e9));
        }
    }

    /** The machine's physical memory in bytes. */
    public static long physicalMemory() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
    }
}
