package prunekit.prune;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import prunekit.calibrate.ActivationStats;
import prunekit.calibrate.CalibrationSet;
import prunekit.calibrate.StatsCollector;
import prunekit.calibrate.StatsOptions;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.io.ModelCard;
import prunekit.core.io.LazyModel;
import prunekit.core.model.LlamaConfig;
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
 * Score → plan → surgery on a model whose weights stay on disk: the statistics pass holds one
 * decoder layer and the calibration hidden states, scorers read one tensor at a time, the planner
 * works from shapes, and surgery cuts one tensor at a time into the streaming checkpoint writer
 * (sharded safetensors when large, the input's dtype unless asked). Writes OUT/scores.json (when
 * it scores), OUT/plan.json and OUT/pruned/.
 */
public final class StreamedPrune {
    private StreamedPrune() {
    }

    /**
     * What to prune to and how: {@code scorer} decides; {@code scores} already computed, or null to
     * score here on the calibration set; {@code write}: the pruned checkpoint's dtype (null: the
     * input's) and shard size.
     */
    public record Request(ScorerName scorer, ImportanceScores scores, Budget budget, PlanOptions plan,
                          ScoringOptions scoring, HfCheckpoint.WriteOptions write, String command) {
        public Request(ScorerName scorer, ImportanceScores scores, Budget budget, PlanOptions plan,
                       ScoringOptions scoring, HfCheckpoint.WriteOptions write) {
            this(scorer, scores, budget, plan, scoring, write, null);
        }

        public Request {
            if (scorer == null || budget == null || plan == null || scoring == null || write == null) {
                throw new IllegalArgumentException("a prune request needs a scorer, a budget, plan, scoring and write options");
            }
        }
    }

    /** What was written, and the shapes before and after. */
    public record Result(ImportanceScores scores, PruningPlan plan, LlamaConfig before, LlamaConfig after,
                         Path planFile, Path prunedDir) {
        public long paramsBefore() {
            return before.parameterCount();
        }

        public long paramsAfter() {
            return after.parameterCount();
        }
    }

    /**
     * Prunes {@code model} into {@code out}; {@code calibration} may be null when {@code r.scores()}
     * is given without bias compensation. {@code log} hears the stages.
     */
    public static Result run(LazyModel model, CalibrationSet calibration, Request r, Path out, Consumer<String> log) {
        LlamaConfig c = model.config();
        ImportanceScores scores = r.scores();
        ActivationStats stats = null;
        if (scores == null) {
            Scoring.Result s = Scoring.runStreamed(model.weights(), require(calibration, "scoring"), List.of(r.scorer()),
                    r.scoring().withKinds(Planner.kindsNeeded(c, r.budget(), r.plan()))
                            .withStats(r.scoring().stats().withSpillDir(out)), log);
            scores = s.scores();
            stats = s.stats();
            ScoresJson.write(scores, out.resolve("scores.json"));
        } else if (r.plan().biasCompensation()) {
            log.accept("statistics pass for bias compensation");
            stats = StatsCollector.collect(model.weights(), require(calibration, "--bias-compensation"),
                    StatsOptions.activations(), null);
        }
        PruningPlan plan = Planner.plan(c, scores, r.scorer(), r.budget(), r.plan());
        Path planFile = out.resolve("plan.json");
        PlanJson.write(plan, c, planFile);
        Surgery.Pruned pruned = Surgery.stream(model.weights(), plan,
                r.plan().biasCompensation() ? new SurgeryOptions(true, stats) : SurgeryOptions.plain());
        Path dir = out.resolve("pruned");
        HfCheckpoint.WriteOptions w = r.write().dtype() != null ? r.write() : r.write().withDtype(model.weights().storedDtype());
        log.accept("surgery: writing " + dir);
        ModelCard card = ModelCard.pruned(model.source(), c.parameterCount(), r.scorer().id() + ", " + r.budget().describe());
        HfCheckpoint.write(pruned.config(), pruned.tensors(), model.tokenizer(), dir, w,
                (r.command() == null ? card : card.withCommand(r.command())).render(pruned.config()));
        return new Result(scores, plan, c, pruned.config(), planFile, dir);
    }

    private static CalibrationSet require(CalibrationSet set, String why) {
        if (set == null) {
            throw new IllegalArgumentException(why + " needs calibration text: pass --calib FILE...");
        }
        return set;
    }
}
