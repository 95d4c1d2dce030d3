package prunekit.prune.score;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The scorers by their CLI names ({@code --scorer NAME}); {@link #create} makes one. */
public enum ScorerName {
    MAGNITUDE("magnitude"),
    WANDA("wanda"),
    TAYLOR("taylor"),
    FLUCTUATION("fluctuation"),
    ACTIVATION("activation"),
    BLOCK_INFLUENCE("block-influence"),
    ORACLE("oracle");

    private final String id;

    ScorerName(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static ScorerName parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (ScorerName n : values()) {
            if (n.id.equals(k)) {
                return n;
            }
        }
        throw new IllegalArgumentException("unknown scorer '" + s + "'; use one of " + ids());
    }

    public static String ids() {
        return Arrays.stream(values()).map(ScorerName::id).collect(Collectors.joining(", "));
    }

    public ImportanceScorer create(ScoringOptions o) {
        return switch (this) {
            case MAGNITUDE -> new MagnitudeScorer(o.magnitudeNorm());
            case WANDA -> new WandaScorer();
            case TAYLOR -> new TaylorScorer();
            case FLUCTUATION -> new FluctuationScorer();
            case ACTIVATION -> new ActivationScorer();
            case BLOCK_INFLUENCE -> new BlockInfluenceScorer();
            case ORACLE -> new OracleScorer(o.oracleSequences(), o.oracleSeqLen());
        };
    }

    @Override
    public String toString() {
        return id;
    }
}
