package prunekit.pipeline.recipe;

import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.prune.score.ScorerName;

/**
 * How a recipe's prune configuration cuts: {@link Recon} (the default recipe of {@code prunekit prune}:
 * sequential layer-wise reconstruction, no score stage) or {@link Scored} (a scorer's scores → plan → surgery).
 */
public sealed interface PruneMethod {
    /** The name recipes spell it by and stage directories start with. */
    String id();

    /** Sequential layer-wise reconstruction (OBS costs, ridge refit, optional allocation search). */
    record Recon() implements PruneMethod {
        @Override
        public String id() {
            return "recon";
        }
    }

    /** Importance scores of {@code scorer} on the calibration text, then plan and surgery. */
    record Scored(ScorerName scorer) implements PruneMethod {
        public Scored {
            if (scorer == null) {
                throw new IllegalArgumentException("a scored prune method needs its scorer");
            }
        }

        @Override
        public String id() {
            return scorer.id();
        }
    }

    /** Every method by its id: recon first, then the scorers in their enum order. */
    static Map<String, PruneMethod> choices() {
        Map<String, PruneMethod> m = new LinkedHashMap<>();
        m.put("recon", new Recon());
        for (ScorerName s : ScorerName.values()) {
            m.put(s.id(), new Scored(s));
        }
        return m;
    }
}
