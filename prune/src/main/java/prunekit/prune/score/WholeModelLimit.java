package prunekit.prune.score;

import prunekit.core.engine.MemoryCheck;
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
        if (!s.needsGradients()) {
            return MemoryCheck.wholeModel(c, 12);
        }
        long tokens = (long) batch * seqLen;
        long act = 0;
        for (int i = 0; i < c.numLayers(); i++) {
            LayerShape l = c.layer(i);
            act += tokens * (12L * c.hidden() + 4L * l.ffn()) * 4 + 2L * batch * l.queryHeads() * seqLen * seqLen * 4;
        }
        return MemoryCheck.wholeModel(c, 16) + act + tokens * c.vocabSize() * 4 * 3;
    }

    /** Throws, saying what is needed and what to do instead, when {@code s} needs more than {@code available} bytes. */
    public static void check(ImportanceScorer s, LlamaConfig c, int batch, int seqLen, long available) {
        MemoryCheck.require("scorer " + s.name().id(), bytesNeeded(s, c, batch, seqLen), available,
                "use a streamed scorer (magnitude, wanda, fluctuation, activation, block-influence)"
                        + " or a machine with more memory");
    }
}
