package prunekit.prune.score;

import java.util.EnumSet;
import java.util.Set;
import prunekit.calibrate.StatsOptions;
import prunekit.prune.group.GroupKind;

/**
 * Options of a scoring run: which group kinds to score (and which of them the oracle scores: it
 * costs one forward per group, so e.g. MLP channels can be left to the cheap scorers), magnitude's norm (1 or 2), the statistics
 * pass, the oracle's fixed held-out batch ({@code oracleSequences} windows of its first
 * {@code oracleSeqLen} tokens), and whether to compare every scorer with the oracle.
 */
public record ScoringOptions(Set<GroupKind> kinds, Set<GroupKind> oracleKinds, int magnitudeNorm, StatsOptions stats,
                             int oracleSequences, int oracleSeqLen, boolean evaluate) {
    public ScoringOptions {
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("score at least one group kind");
        }
        kinds = EnumSet.copyOf(kinds);
        oracleKinds = oracleKinds.isEmpty() ? EnumSet.noneOf(GroupKind.class) : EnumSet.copyOf(oracleKinds);
        if (magnitudeNorm != 1 && magnitudeNorm != 2) {
            throw new IllegalArgumentException("magnitude norm must be 1 or 2, got " + magnitudeNorm);
        }
        if (oracleSequences <= 0 || oracleSeqLen <= 0) {
            throw new IllegalArgumentException("the oracle needs a positive batch, got " + oracleSequences + " x "
                    + oracleSeqLen);
        }
    }

    /** All kinds but hidden channels (which only --target-arch prunes), L2 magnitude, 4 x 128 oracle tokens. */
    public static ScoringOptions defaults() {
        EnumSet<GroupKind> k = EnumSet.complementOf(EnumSet.of(GroupKind.HIDDEN_CHANNEL));
        return new ScoringOptions(k, k, 2, StatsOptions.activations(), 4, 128, false);
    }

    /** Scores {@code k} with every scorer, the oracle included. */
    public ScoringOptions withKinds(Set<GroupKind> k) {
        return new ScoringOptions(k, k, magnitudeNorm, stats, oracleSequences, oracleSeqLen, evaluate);
    }

    public ScoringOptions withOracleKinds(Set<GroupKind> k) {
        return new ScoringOptions(kinds, k, magnitudeNorm, stats, oracleSequences, oracleSeqLen, evaluate);
    }

    public ScoringOptions withEvaluate(boolean e) {
        return new ScoringOptions(kinds, oracleKinds, magnitudeNorm, stats, oracleSequences, oracleSeqLen, e);
    }

    public ScoringOptions withOracle(int sequences, int seqLen) {
        return new ScoringOptions(kinds, oracleKinds, magnitudeNorm, stats, sequences, seqLen, evaluate);
    }

    public ScoringOptions withStats(StatsOptions s) {
        return new ScoringOptions(kinds, oracleKinds, magnitudeNorm, s, oracleSequences, oracleSeqLen, evaluate);
    }
}
