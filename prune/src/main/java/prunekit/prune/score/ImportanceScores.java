package prunekit.prune.score;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.prune.group.GroupKind;

/**
 * Scores of every scorer for every group kind it scored, each laid out as {@link GroupKind#groups}
 * rows, with the shape of the model they were taken on (so they are never applied to another),
 * where they came from, and (with {@code --evaluate}) each scorer's rank correlation with the oracle.
 * Written as {@code scores.json} by {@link ScoresJson}.
 */
public record ImportanceScores(Provenance provenance, int hidden, int headDim, List<LayerShape> layers,
                               Map<ScorerName, Map<GroupKind, double[][]>> scores,
                               List<ScorerEvaluation.Correlation> evaluation) {

    /** Where the scores came from. */
    public record Provenance(String model, String calibration, int samples, int seqLen, long seed, long tokens,
                             double calibrationLoss) {
    }

    public ImportanceScores {
        layers = List.copyOf(layers);
        Map<ScorerName, Map<GroupKind, double[][]>> m = new EnumMap<>(ScorerName.class);
        scores.forEach((k, v) -> m.put(k, Collections.unmodifiableMap(new EnumMap<>(v))));
        scores = Collections.unmodifiableMap(m);
        evaluation = List.copyOf(evaluation);
    }

    public Set<ScorerName> scorers() {
        return scores.keySet();
    }

    public boolean has(ScorerName s, GroupKind k) {
        return scores.containsKey(s) && scores.get(s).containsKey(k);
    }

    /** Rows of scores of {@code s} for {@code k}; fails naming what to run when absent. */
    public double[][] get(ScorerName s, GroupKind k) {
        if (!scores.containsKey(s)) {
            throw new IllegalArgumentException("the scores hold no scorer " + s + " (they have " + scorers()
                    + "); score again with --scorer " + s);
        }
        double[][] v = scores.get(s).get(k);
        if (v == null) {
            throw new IllegalArgumentException("scorer " + s + " has no " + k.id() + " scores (it has "
                    + scores.get(s).keySet() + "); score " + k.id() + " groups too or pick another scorer");
        }
        return v;
    }

    /** Throws when these scores were taken on a model of another shape than {@code c}. */
    public void requireFits(LlamaConfig c) {
        if (c.hidden() != hidden || c.headDim() != headDim || !c.layers().equals(layers)) {
            throw new IllegalArgumentException("these scores were taken on a model with hidden " + hidden + " and layers "
                    + layers + ", not on this one (hidden " + c.hidden() + ", layers " + c.layers() + ")");
        }
    }

    public ImportanceScores withEvaluation(List<ScorerEvaluation.Correlation> e) {
        return new ImportanceScores(provenance, hidden, headDim, layers, scores, e);
    }
}
