package prunekit.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.calibrate.CalibrationSet;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;
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

/** Same inputs and seed → byte-identical scores.json, plan.json and pruned weights; files round-trip. */
class DeterminismTest {
    static final List<ScorerName> SCORERS = List.of(ScorerName.MAGNITUDE, ScorerName.WANDA, ScorerName.TAYLOR,
            ScorerName.FLUCTUATION, ScorerName.ACTIVATION, ScorerName.BLOCK_INFLUENCE);

    @Test
    void sameSeedGivesByteIdenticalPlanAndWeights(@TempDir Path dir) throws Exception {
        run(dir.resolve("a"), 5);
        run(dir.resolve("b"), 5);
        for (String f : List.of("scores.json", "plan.json", "pruned/model.safetensors", "pruned/config.json")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(f)), Files.readAllBytes(dir.resolve("b").resolve(f)),
                    f + " differs between two runs with the same seed");
        }
        run(dir.resolve("c"), 6);
        assertTrue(!java.util.Arrays.equals(Files.readAllBytes(dir.resolve("a/scores.json")),
                Files.readAllBytes(dir.resolve("c/scores.json"))), "another seed gave the same scores");
    }

    private static void run(Path out, long seed) {
        LlamaConfig c = Fixtures.config(2, false);
        Model m = Fixtures.model(c, 31);
        CalibrationSet set = Fixtures.calibration(seed);
        Scoring.Result r = Scoring.runWithStats(m, set, SCORERS, ScoringOptions.defaults(), s -> { });
        ScoresJson.write(r.scores(), out.resolve("scores.json"));
        ImportanceScores back = ScoresJson.read(out.resolve("scores.json"));
        assertEquals(ScoresJson.toJson(r.scores()), ScoresJson.toJson(back), "scores.json round trip");
        PruningPlan plan = Planner.plan(c, back, ScorerName.TAYLOR, new Budget.KeepRatio(0.6, Budget.Scope.LAYERS),
                PlanOptions.defaults());
        PlanJson.write(plan, c, out.resolve("plan.json"));
        assertEquals(plan, PlanJson.read(out.resolve("plan.json")), "plan.json round trip");
        Model pruned = Surgery.apply(m, plan, new SurgeryOptions(true, r.stats()));
        assertEquals(pruned.config().parameterCount(), pruned.weights().countParameters());
        HfCheckpoint.write(pruned, out.resolve("pruned"), null);
        Model read = HfCheckpoint.read(out.resolve("pruned"));
        assertEquals(pruned.config(), read.config());
        assertEquals(pruned.weights().tensors(), read.weights().tensors());
    }

    /** FLAP: the o_proj bias becomes W_o[:, removed] · mean(x[removed]), from the calibration statistics. */
    @Test
    void biasCompensationAddsTheRemovedChannelsMean() {
        LlamaConfig c = Fixtures.config(2, false);
        Model m = Fixtures.model(c, 32);
        CalibrationSet set = Fixtures.calibration(3);
        Scoring.Result r = Scoring.runWithStats(m, set, List.of(ScorerName.FLUCTUATION), ScoringOptions.defaults(), s -> { });
        PruningPlan plan = Planner.plan(c, r.scores(), ScorerName.FLUCTUATION,
                new Budget.KeepRatio(0.7, Budget.Scope.LAYERS), PlanOptions.defaults().withUniform(true));
        Model pruned = Surgery.apply(m, plan, new SurgeryOptions(true, r.stats()));
        assertTrue(pruned.config().attentionBias() && pruned.config().mlpBias());
        int layer = 1;
        int[] kept = plan.layers().get(layer).ffn();
        float[] wd = m.weights().get(TensorNames.weight(layer, Proj.DOWN)).data();
        int ffn = c.layer(layer).ffn();
        var stats = r.stats().channel(layer, prunekit.core.engine.ForwardHooks.Site.DOWN_PROJ_INPUT);
        float[] bias = pruned.weights().get(TensorNames.bias(layer, Proj.DOWN)).data();
        for (int row = 0; row < c.hidden(); row++) {
            double b = 0;
            for (int j = 0; j < ffn; j++) {
                int jj = j;
                if (java.util.Arrays.stream(kept).noneMatch(k -> k == jj)) {
                    b += wd[row * ffn + j] * stats.mean(j);
                }
            }
            assertEquals(b, bias[row], 1e-5 + 1e-5 * Math.abs(b), "down bias row " + row);
        }
        assertTrue(Stream.of(pruned.weights().get(TensorNames.bias(0, Proj.Q)).data()).allMatch(a -> {
            for (float v : a) {
                if (v != 0) {
                    return false;
                }
            }
            return true;
        }), "q bias of a model without biases is zero");
    }
}
