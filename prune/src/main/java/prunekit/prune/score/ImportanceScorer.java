package prunekit.prune.score;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import prunekit.prune.group.CouplingGroup;
import prunekit.prune.group.GroupKind;

/**
 * Maps coupling groups + calibration statistics to importance scores: higher = more important,
 * kept first. A scorer says which group kinds it can score and what it needs from the pass.
 */
public interface ImportanceScorer {
    ScorerName name();

    /** Whether this scorer can score groups of {@code kind}: every kind unless it says otherwise. */
    default boolean supports(GroupKind kind) {
        return true;
    }

    /** Whether the statistics pass must also collect gradients. */
    default boolean needsGradients() {
        return false;
    }

    /** The score of one group. */
    double score(CouplingGroup group, ScoringContext ctx);

    /** Scores of every group of {@code kind}, laid out as {@link GroupKind#groups} rows. */
    default double[][] scoreAll(GroupKind kind, ScoringContext ctx) {
        if (!supports(kind)) {
            throw new IllegalArgumentException("scorer " + name() + " cannot score " + kind.id() + " groups");
        }
        List<List<CouplingGroup>> rows = kind.groups(ctx.config());
        double[][] out = new double[rows.size()][];
        for (int r = 0; r < rows.size(); r++) {
            List<CouplingGroup> row = rows.get(r);
            out[r] = new double[row.size()];
            for (int i = 0; i < row.size(); i++) {
                out[r][i] = score(row.get(i), ctx);
            }
        }
        return out;
    }

    /** {@link #scoreAll} of every kind of {@code kinds} (in their order); a scorer may share work across kinds. */
    default Map<GroupKind, double[][]> scoreKinds(Set<GroupKind> kinds, ScoringContext ctx) {
        Map<GroupKind, double[][]> out = new EnumMap<>(GroupKind.class);
        for (GroupKind k : kinds) {
            out.put(k, scoreAll(k, ctx));
        }
        return out;
    }
}
