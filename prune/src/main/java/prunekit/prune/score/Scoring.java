package prunekit.prune.score;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import prunekit.calibrate.ActivationStats;
import prunekit.calibrate.CalibrationSet;
import prunekit.calibrate.StatsCollector;
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

    public static Result runWithStats(Model model, CalibrationSet set, List<ScorerName> names, ScoringOptions o,
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
        boolean grads = scorers.stream().anyMatch(ImportanceScorer::needsGradients);
        log.accept("statistics pass: " + set.samples() + " windows x " + set.seqLen() + " tokens"
                + (grads ? " with gradients" : ""));
        ActivationStats stats = StatsCollector.collect(model.weights(), set, o.stats().withGradients(grads), null);
        ScoringContext ctx = new ScoringContext(model.weights(), stats, set);
        Map<ScorerName, Map<GroupKind, double[][]>> out = new EnumMap<>(ScorerName.class);
        for (ImportanceScorer s : scorers) {
            Map<GroupKind, double[][]> byKind = new EnumMap<>(GroupKind.class);
            for (GroupKind k : o.kinds()) {
                if (s.supports(k) && (s.name() != ScorerName.ORACLE || o.oracleKinds().contains(k))) {
                    long t0 = System.nanoTime();
                    byKind.put(k, s.scoreAll(k, ctx));
                    log.accept(String.format("%s %s: %.1fs", s.name(), k.id(), (System.nanoTime() - t0) / 1e9));
                }
            }
            out.put(s.name(), byKind);
        }
        ImportanceScores.Provenance prov = new ImportanceScores.Provenance(model.source(), set.source(), set.samples(),
                set.seqLen(), set.seed(), stats.tokens(), stats.meanLoss());
        ImportanceScores scores = new ImportanceScores(prov, model.config().hidden(), model.config().headDim(),
                model.config().layers(), out, List.of());
        if (o.evaluate()) {
            scores = scores.withEvaluation(ScorerEvaluation.evaluate(scores));
        }
        return new Result(scores, stats);
    }
}
