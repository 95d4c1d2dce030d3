package prunekit.prune.score;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import prunekit.calibrate.ActivationStats;
import prunekit.calibrate.CalibrationSet;
import prunekit.calibrate.StatsCollector;
import prunekit.core.engine.MemoryCheck;
import prunekit.core.io.TensorSource;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.prune.group.GroupKind;

/**
 * The scoring stage: one statistics pass over the calibration set (with gradients when a scorer
 * asks), then every scorer on every requested group kind it supports; with {@code evaluate} the
 * oracle is added and each scorer's Spearman correlation with it is computed.
 */
public final class Scoring {
    private Scoring() {
    }

    /** The scores and the statistics they came from (surgery's bias compensation reuses them). */
    public record Result(ImportanceScores scores, ActivationStats stats) {
    }

    public static ImportanceScores run(Model model, CalibrationSet set, List<ScorerName> scorers, ScoringOptions o) {
        return runWithStats(model, set, scorers, o, msg -> { }).scores();
    }

    /** {@link #runStreamed} over a model in memory. */
    public static Result runWithStats(Model model, CalibrationSet set, List<ScorerName> names, ScoringOptions o,
                                      Consumer<String> log) {
        return runStreamed(TensorSource.of(model.weights(), model.source()), set, names, o, log);
    }

    /**
     * Scores with the weights read on demand: the statistics pass streams one layer at a time (its
     * backward too, for taylor) and the slice scorers read each tensor once; the oracle needs the whole
     * model and is refused up front (with an estimate) where it does not fit in this machine's memory.
     */
    public static Result runStreamed(TensorSource weights, CalibrationSet set, List<ScorerName> names, ScoringOptions o,
                                     Consumer<String> log) {
        Set<ScorerName> all = new LinkedHashSet<>(names);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no scorer given; use --scorer with one of " + ScorerName.ids());
        }
        if (o.evaluate()) {
            all.add(ScorerName.ORACLE);
        }
        List<ImportanceScorer> scorers = new ArrayList<>();
        all.forEach(n -> scorers.add(n.create(o)));
        for (ImportanceScorer s : scorers) {
            if (WholeModelLimit.holdsWholeModel(s)) {
                WholeModelLimit.check(s, weights.config(), MemoryCheck.physicalBytes());
            }
        }
        boolean grads = scorers.stream().anyMatch(ImportanceScorer::needsGradients);
        log.accept("statistics pass: " + set.samples() + " windows x " + set.seqLen() + " tokens"
                + (grads ? " with gradients" : ""));
        ActivationStats stats = StatsCollector.collect(weights, set, o.stats().withGradients(grads), null);
        ScoringContext ctx = new ScoringContext(weights, stats, set);
        Map<ScorerName, Map<GroupKind, double[][]>> out = new EnumMap<>(ScorerName.class);
        for (ImportanceScorer s : scorers) {
            Set<GroupKind> kinds = EnumSet.noneOf(GroupKind.class);
            for (GroupKind k : o.kinds()) {
                if (s.supports(k) && (s.name() != ScorerName.ORACLE || o.oracleKinds().contains(k))) {
                    kinds.add(k);
                }
            }
            long t0 = System.nanoTime();
            out.put(s.name(), new EnumMap<>(s.scoreKinds(kinds, ctx)));
            log.accept(String.format("%s %s: %.1fs", s.name(), kinds, (System.nanoTime() - t0) / 1e9));
        }
        LlamaConfig c = weights.config();
        ImportanceScores.Provenance prov = new ImportanceScores.Provenance(weights.source(), set.source(), set.samples(),
                set.seqLen(), set.seed(), stats.tokens(), stats.meanLoss());
        ImportanceScores scores = new ImportanceScores(prov, c.hidden(), c.headDim(), c.layers(), out, List.of());
        if (o.evaluate()) {
            scores = scores.withEvaluation(ScorerEvaluation.evaluate(scores));
        }
        return new Result(scores, stats);
    }
}
