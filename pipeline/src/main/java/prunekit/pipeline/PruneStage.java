package prunekit.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import prunekit.calibrate.ActivationStats;
import prunekit.calibrate.StatsCollector;
import prunekit.calibrate.StatsOptions;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.io.ModelCard;
import prunekit.core.model.Model;
import prunekit.prune.budget.Budget;
import prunekit.prune.budget.PlanOptions;
import prunekit.prune.budget.Planner;
import prunekit.prune.plan.PlanJson;
import prunekit.prune.plan.PruningPlan;
import prunekit.prune.score.ImportanceScores;
import prunekit.prune.score.ScorerName;
import prunekit.prune.score.Scoring;
import prunekit.prune.score.ScoringOptions;
import prunekit.prune.score.ScoresJson;
import prunekit.prune.surgery.Surgery;
import prunekit.prune.surgery.SurgeryOptions;

/**
 * score → plan → surgery: scores (read from a scores.json or computed here on calibration text),
 * a plan for the budget (OUT/plan.json) and the pruned HF checkpoint (OUT/pruned). Scores computed
 * here are written to OUT/scores.json.
 */
public final class PruneStage {
    public static final String PLAN = "plan.json";
    public static final String PRUNED = "pruned";
    public static final String SCORES = "scores.json";

    private PruneStage() {
    }

    /**
     * What to prune with: {@code scoresFile} or ({@code scorer} + calibration) decide; {@code scorer}
     * picks among several scorers in the file. Bias compensation is {@code plan.biasCompensation()}.
     */
    /** {@code command}: the command line that reproduces the run, for the model card (may be null). */
    public record Options(Path scoresFile, ScorerName scorer, Calibration calibration, Budget budget, PlanOptions plan,
                          Path out, String command) {
        public Options(Path scoresFile, ScorerName scorer, Calibration calibration, Budget budget, PlanOptions plan,
                       Path out) {
            this(scoresFile, scorer, calibration, budget, plan, out, null);
        }

        public Options {
            if (budget == null || plan == null || out == null || calibration == null) {
                throw new IllegalArgumentException("prune needs a budget, plan options, calibration and an output directory");
            }
            if (scoresFile == null && scorer == null) {
                throw new IllegalArgumentException("give --scores FILE, or --scorer NAME with --calib FILE... to score here");
            }
        }
    }

    /** The files written and the parameter counts before and after. */
    public record Result(Path plan, Path pruned, ScorerName scorer, Budget budget, long paramsBefore, long paramsAfter,
                         long layerParamsBefore, long layerParamsAfter, boolean uniform) {
    }

    /** Runs the stage on {@code m}; {@code log} gets the scoring progress lines. */
    public static Result run(Model m, Options o, Consumer<String> log) {
        boolean bias = o.plan().biasCompensation();
        ActivationStats stats = null;
        ImportanceScores scores;
        ScorerName name;
        if (o.scoresFile() != null) {
            scores = ScoresJson.read(o.scoresFile());
            name = o.scorer() != null ? o.scorer() : onlyScorer(scores, o.scoresFile());
            if (bias) {
                stats = StatsCollector.collect(m.weights(), o.calibration().load(m, "--bias-compensation"),
                        StatsOptions.activations(), null);
            }
        } else {
            name = o.scorer();
            ScoringOptions so = ScoringOptions.defaults().withOracle(2, 64)
                    .withKinds(Planner.kindsNeeded(m.config(), o.budget(), o.plan()));
            Scoring.Result r = Scoring.runWithStats(m, o.calibration().load(m, "scoring"), List.of(name), so, log);
            scores = r.scores();
            stats = r.stats();
            ScoresJson.write(scores, o.out().resolve(SCORES));
        }
        PruningPlan plan = Planner.plan(m.config(), scores, name, o.budget(), o.plan());
        Path planFile = o.out().resolve(PLAN);
        PlanJson.write(plan, m.config(), planFile);
        Model pruned = Surgery.apply(m, plan, bias ? new SurgeryOptions(true, stats) : SurgeryOptions.plain());
        Path prunedDir = o.out().resolve(PRUNED);
        ModelCard card = ModelCard.of(pruned).prunedFrom(m, name.id() + ", " + o.budget().describe());
        HfCheckpoint.writeWith(pruned, prunedDir, HfCheckpoint.WriteOptions.defaults(),
                o.command() == null ? card : card.withCommand(o.command()));
        return new Result(planFile, prunedDir, name, o.budget(), m.config().parameterCount(),
                pruned.weights().countParameters(), m.config().parameterCounts().get("layers"),
                pruned.config().parameterCounts().get("layers"), pruned.config().isUniform());
    }

    private static ScorerName onlyScorer(ImportanceScores s, Path file) {
        List<ScorerName> names = s.scorers().stream().filter(n -> n != ScorerName.ORACLE).toList();
        if (names.size() != 1) {
            throw new IllegalArgumentException(file + " holds scores of " + s.scorers() + "; choose one with --scorer");
        }
        return names.get(0);
    }
}
