package prunekit.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.io.LazyModel;
import prunekit.core.io.TensorSource;
import prunekit.core.model.Model;
import prunekit.prune.StreamedPrune;
import prunekit.prune.budget.Budget;
import prunekit.prune.budget.PlanOptions;
import prunekit.prune.score.ImportanceScores;
import prunekit.prune.score.ScorerName;
import prunekit.prune.score.ScoringOptions;
import prunekit.prune.score.ScoresJson;

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
     * {@code write}: the pruned checkpoint's dtype (null: the input's) and shard size; {@code command}:
     * the command line that reproduces the run, for the model card (may be null).
     */
    public record Options(Path scoresFile, ScorerName scorer, Calibration calibration, Budget budget, PlanOptions plan,
                          Path out, HfCheckpoint.WriteOptions write, String command) {
        public Options(Path scoresFile, ScorerName scorer, Calibration calibration, Budget budget, PlanOptions plan,
                       Path out) {
            this(scoresFile, scorer, calibration, budget, plan, out, HfCheckpoint.WriteOptions.defaults(), null);
        }

        public Options {
            if (budget == null || plan == null || out == null || calibration == null || write == null) {
                throw new IllegalArgumentException("prune needs a budget, plan options, calibration and an output directory");
            }
            if (scoresFile == null && scorer == null) {
                throw new IllegalArgumentException("give --scores FILE, or --scorer NAME with --calib FILE... to score here");
            }
        }

        /** The same run with another budget and output directory (a probe of a quality search). */
        Options with(Budget otherBudget, Path otherOut) {
            return new Options(scoresFile, scorer, calibration, otherBudget, plan, otherOut, write, command);
        }

        /** The same run reading scores from {@code file} instead of computing them. */
        Options withScores(Path file, ScorerName name) {
            return new Options(file, name, calibration, budget, plan, out, write, command);
        }
    }

    /** The files written and the parameter counts before and after; {@code search} only for a quality budget. */
    public record Result(Path plan, Path pruned, ScorerName scorer, Budget budget, long paramsBefore, long paramsAfter,
                         long layerParamsBefore, long layerParamsAfter, boolean uniform, QualitySearch.Outcome search) {
    }

    /** Runs the stage on a model in memory (read through the same per-tensor path as a file). */
    public static Result run(Model m, Options o, Consumer<String> log) {
        return run(new LazyModel(TensorSource.of(m.weights(), m.source()), m.tokenizer()), o, log);
    }

    /**
     * Runs the stage on a model opened lazily: one layer's weights resident at a time for the
     * statistics, the scorers and the surgery; {@code log} gets the progress lines. A
     * {@link Budget.MaxQualityLoss} is met by a {@link QualitySearch} whose probes run this stage.
     */
    public static Result run(LazyModel m, Options o, Consumer<String> log) {
        if (o.budget() instanceof Budget.MaxQualityLoss q) {
            return QualitySearch.run(m, o, q, log);
        }
        return runFixed(m, o, log);
    }

    /** One plan for a budget with a parameter target (or shape), and its surgery. */
    static Result runFixed(LazyModel m, Options o, Consumer<String> log) {
        ImportanceScores scores = o.scoresFile() != null ? ScoresJson.read(o.scoresFile()) : null;
        ScorerName name = o.scorer() != null ? o.scorer() : onlyScorer(scores, o.scoresFile());
        StreamedPrune.Request req = new StreamedPrune.Request(name, scores, o.budget(), o.plan(),
                ScoringOptions.defaults().withOracle(2, 64), o.write(), o.command());
        StreamedPrune.Result r = StreamedPrune.run(m, o.calibration().loadIfGiven(m), req, o.out(), log);
        return new Result(r.planFile(), r.prunedDir(), name, o.budget(), r.paramsBefore(), r.paramsAfter(),
                r.before().parameterCounts().get("layers"), r.after().parameterCounts().get("layers"),
                r.after().isUniform(), null);
    }

    private static ScorerName onlyScorer(ImportanceScores s, Path file) {
        List<ScorerName> names = s.scorers().stream().filter(n -> n != ScorerName.ORACLE).toList();
        if (names.size() != 1) {
            throw new IllegalArgumentException(file + " holds scores of " + s.scorers() + "; choose one with --scorer");
        }
        return names.get(0);
    }
}
