package prunekit.prune.score;

import prunekit.core.engine.MemoryCheck;
import prunekit.core.model.LlamaConfig;

/**
 * The scorer that holds the whole model in memory (the oracle: the weights, their native copy and
 * a cut copy per probe; taylor's backward runs layer by layer), what it needs, and a refusal up
 * front when the machine has less.
 */
public final class WholeModelLimit {
    private WholeModelLimit() {
    }

    /** Whether {@code s} needs every weight in memory at once. */
    public static boolean holdsWholeModel(ImportanceScorer s) {
        return s.name() == ScorerName.ORACLE;
    }

    /** Bytes the oracle needs, roughly: 12 per parameter (Java fp32, native fp32, a cut copy). */
    public static long bytesNeeded(LlamaConfig c) {
        return MemoryCheck.wholeModel(c, 12);
    }

    /** Throws, saying what is needed and what to do instead, when {@code s} needs more than {@code available} bytes. */
    public static void check(ImportanceScorer s, LlamaConfig c, long available) {
        MemoryCheck.require("scorer " + s.name().id(), bytesNeeded(c), available,
                "use a streamed scorer (magnitude, wanda, taylor, fluctuation, activation, block-influence)"
                        + " or a machine with more memory");
    }
}
