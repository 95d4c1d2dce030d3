package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.io.SafetensorsWriter;

/**
 * A run killed after step 7 (last checkpoint at step 6) and resumed by a fresh Trainer ends with
 * the same bytes as a run that was never interrupted: weights, optimizer moments and the log.
 */
class ResumeTest {
    private static final int STEPS = 8;

    @Test
    void killedAndResumedRunIsBitIdenticalToAnUninterruptedOne(@TempDir Path tmp) throws IOException {
        TrainRecipe recipe = TrainRuns.recipe(STEPS).build();
        Path straight = tmp.resolve("straight");
        Path killed = tmp.resolve("killed");
        TrainResult a = TrainRuns.trainer(recipe, straight).run(TrainRuns.start(), null, false);
        assertTrue(a.finished());

        TrainResult partial = TrainRuns.trainer(recipe, killed).runUntil(TrainRuns.start(), null, false, 7);
        assertFalse(partial.finished());
        assertEquals(6, TrainCheckpoint.latest(killed).orElseThrow().step(), "step 7 was lost with the kill");
        int[] resumedAt = {-1};
        TrainListener l = new TrainListener() {
            @Override
            public void onResume(int step, Path dir) {
                resumedAt[0] = step;
            }
        };
        TrainResult b = new Trainer(Recipe.train(recipe), RunOptions.defaults(), TrainRuns.data(), killed, l).run(TrainRuns.start(), null, true);
        assertEquals(6, resumedAt[0]);
        assertTrue(b.finished());

        Path ca = straight.resolve("checkpoints/step-000008");
        Path cb = killed.resolve("checkpoints/step-000008");
        for (String f : List.of(SafetensorsWriter.SINGLE_FILE, TrainCheckpoint.OPTIMIZER_FILE)) {
            assertArrayEquals(Files.readAllBytes(ca.resolve(f)), Files.readAllBytes(cb.resolve(f)), f + " differs");
        }
        JsonObject la = JsonParser.parseString(Files.readString(straight.resolve(RunReport.TRAIN_FILE))).getAsJsonObject();
        JsonObject lb = JsonParser.parseString(Files.readString(killed.resolve(RunReport.TRAIN_FILE))).getAsJsonObject();
        for (int i = 0; i < STEPS; i++) {
            JsonObject ea = la.getAsJsonArray("log").get(i).getAsJsonObject();
            JsonObject eb = lb.getAsJsonArray("log").get(i).getAsJsonObject();
            assertEquals(ea.get("train_loss"), eb.get("train_loss"), "train loss of step " + (i + 1));
            assertEquals(ea.get("valid_loss"), eb.get("valid_loss"), "valid loss of step " + (i + 1));
        }
        assertEquals(2, Files.list(straight.resolve("checkpoints")).count(), "only the last two checkpoints are kept");
        assertTrue(la.has("valid_loss") && la.get("finished").getAsBoolean());
    }

    @Test
    void refusesToOverwriteARunOrToResumeWithAnotherRecipe(@TempDir Path tmp) {
        TrainRecipe recipe = TrainRuns.recipe(3).build();
        TrainRuns.trainer(recipe, tmp).run(TrainRuns.start(), null, false);
        assertThrows(IllegalArgumentException.class, () -> TrainRuns.trainer(recipe, tmp).run(TrainRuns.start(), null, false));
        TrainRecipe other = recipe.toBuilder().lr(5e-3).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainRuns.trainer(other, tmp).run(TrainRuns.start(), null, true));
        assertTrue(e.getMessage().contains("lr"), e.getMessage());
        Recipe recover = Recipe.recover(recipe, Recipe.Mode.FULL, null, LossSpec.ce(), 0);
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(recover, RunOptions.defaults(), TrainRuns.data(), tmp, TrainListener.NONE)
                        .run(TrainRuns.start(), null, true));
        assertTrue(k.getMessage().contains("kind: recover vs train"), k.getMessage());
    }

    @Test
    void aTrainRecipeIsFullCrossEntropy() {
        TrainRecipe t = TrainRuns.recipe(3).build();
        assertThrows(IllegalArgumentException.class,
                () -> new Recipe(Recipe.Kind.TRAIN, t, Recipe.Mode.LORA, RecoverRuns.lora(), LossSpec.ce(), 0));
        assertThrows(IllegalArgumentException.class,
                () -> new Recipe(Recipe.Kind.TRAIN, t, Recipe.Mode.FULL, null, LossSpec.kd(1.0), 0));
        assertEquals(t.toJson(), Recipe.train(t).toJson(), "train.json keeps the flat recipe");
        assertEquals(Recipe.train(t), Recipe.fromJson(Recipe.train(t).toJson()));
    }
}
