package prunekit.pipeline.recipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.calibrate.CalibrationOptions;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.io.LazyModel;
import prunekit.core.io.ModelLoader;
import prunekit.pipeline.Calibration;
import prunekit.pipeline.ProgressBars;
import prunekit.pipeline.PruneStage;
import prunekit.pipeline.ReconStage;
import prunekit.prune.budget.AttentionUnit;
import prunekit.prune.budget.Budget;

/** {@code scorer: recon} prunes as {@code prunekit prune} without a scorer does, with no score stage, and is reused. */
class RecipeReconTest {
    @Test
    void reconPrunesLikeThePruneCommandsDefaultAndIsCached(@TempDir Path tmp) throws Exception {
        Path recipe = TinyRecipe.write(tmp, "prune: {scorer: recon, keep_ratio: 0.6, recon: {samples: 4, seq_len: 32}}");
        Path out = tmp.resolve("run");
        RecipeRunner.Result first = TinyRecipe.run(recipe, out, null, ProgressBars.NONE);
        assertEquals(6, first.stagesRun(), "eval dense, prune, eval, plot, recover, eval: no score stage");
        assertFalse(Files.exists(out.resolve("score")));
        Path prune = out.resolve("prune/recon-0.6");
        assertFalse(Files.exists(prune.resolve(PruneStage.SCORES)));
        assertTrue(Files.isRegularFile(out.resolve("plot/recon-0.6/kept-fraction.png")), "the plot stage draws the plan");
        assertEquals(List.of("dense", "recon-0.6", "recon-0.6--kd"), first.rows().stream().map(SweepRow::name).toList());
        assertTrue(first.rows().get(1).parameters() < first.rows().get(0).parameters());

        Path direct = tmp.resolve("direct");
        Calibration cal = new Calibration(List.of(tmp.resolve("calib.txt")), new CalibrationOptions(4, 32, 0,
                CalibrationOptions.DEFAULT_HELD_OUT));
        try (LazyModel m = ModelLoader.open(TinyRecipe.ROOT.resolve("models/stories260K.gguf"), null)) {
            ReconStage.run(m, new ReconStage.Options(cal, 4, 32, new Budget.KeepRatio(0.6, Budget.Scope.LAYERS),
                    AttentionUnit.KV_GROUPS, prunekit.prune.recon.ReconOptions.Matmul.AUTO, 0, true, direct, HfCheckpoint.WriteOptions.defaults(), null), s -> { });
        }
        assertArrayEquals(Files.readAllBytes(direct.resolve(PruneStage.PLAN)), Files.readAllBytes(prune.resolve(PruneStage.PLAN)));
        assertArrayEquals(Files.readAllBytes(direct.resolve("pruned/model.safetensors")),
                Files.readAllBytes(prune.resolve("pruned/model.safetensors")));

        RecipeRunner.Result again = TinyRecipe.run(recipe, out, null, ProgressBars.NONE);
        assertEquals(0, again.stagesRun());
        assertEquals(first.rows(), again.rows());
    }
}
