package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.TestModels;
import prunekit.core.eval.TokenStream;
import prunekit.core.io.SafetensorsWriter;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.Model;

/** {@code --resume} never continues silently with other inputs, nor from or into non-finite weights. */
class ResumeSafetyTest {
    private static final int STEPS = 8;

    @Test
    void resumeRefusesOtherDataOrValidationText(@TempDir Path tmp) {
        TrainRecipe recipe = TrainRuns.recipe(STEPS).build();
        TrainRuns.trainer(recipe, tmp).runUntil(TrainRuns.start(), null, false, 4);
        TrainData d = TrainRuns.data();
        int[] otherTrain = d.train().clone();
        otherTrain[10]++;
        int[] otherValid = d.valid().ids().clone();
        otherValid[0]++;
        for (var c : List.of(Map.entry("--data", new TrainData(otherTrain, d.valid())),
                Map.entry("--valid", new TrainData(d.train(), new TokenStream(otherValid, otherValid.length, 1))))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(Recipe.train(recipe),
                    RunOptions.defaults(), c.getValue(), tmp, TrainListener.NONE).run(TrainRuns.start(), null, true));
            assertTrue(e.getMessage().contains(c.getKey() + " (sha256"), e.getMessage());
        }
    }

    @Test
    void recoverResumeRefusesAnotherTeacher(@TempDir Path tmp) {
        Recipe recipe = RecoverRuns.recipe(STEPS, Recipe.Mode.FULL, LossSpec.kd(2.0), 0);
        RecoverRuns.recovery(recipe, tmp, null).runUntil(RecoverRuns.student(), RecoverRuns.teacher(), false, 4);
        Model t = RecoverRuns.teacher();
        Model other = new Model(t.config(), TestModels.random(t.config(), 18, 0.1), null, "another teacher");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecoverRuns.recovery(recipe, tmp, null).run(RecoverRuns.student(), other, true));
        assertTrue(e.getMessage().contains("--teacher (sha256"), e.getMessage());
        RecoverRuns.recovery(recipe, tmp, null).run(RecoverRuns.student(), RecoverRuns.teacher(), true); // the same one resumes
    }

    @Test
    void aDistillingRecoveryWithoutATeacherIsRefusedBeforeAnyStep(@TempDir Path tmp) {
        for (LossSpec loss : List.of(LossSpec.kd(2.0), RecoverRuns.mixWithHidden())) {
            Recipe recipe = RecoverRuns.recipe(STEPS, Recipe.Mode.FULL, loss, 0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RecoverRuns.recovery(recipe, tmp, null).run(RecoverRuns.student(), null, false));
            assertTrue(e.getMessage().contains("needs the dense teacher: pass --teacher"), e.getMessage());
        }
        assertFalse(TrainCheckpoint.exists(tmp));
    }

    @Test
    void aNonFiniteCheckpointIsNeverResumedFromAndTheRunEndsAsAnUninterruptedOne(@TempDir Path tmp) throws IOException {
        TrainRecipe recipe = TrainRuns.recipe(STEPS).build();
        Path straight = tmp.resolve("straight");
        Path killed = tmp.resolve("killed");
        TrainRuns.trainer(recipe, straight).run(TrainRuns.start(), null, false);
        TrainRuns.trainer(recipe, killed).runUntil(TrainRuns.start(), null, false, 7);
        Path step6 = killed.resolve("checkpoints/step-000006");
        Map<String, FloatTensor> w = TrainCheckpoint.read(step6).weights().tensors();
        w.values().iterator().next().data()[3] = Float.NaN;
        SafetensorsWriter.write(step6.resolve(SafetensorsWriter.SINGLE_FILE), w, DType.F32);

        int[] resumedAt = {-1};
        TrainListener l = new TrainListener() {
            @Override
            public void onResume(int step, Path dir) {
                resumedAt[0] = step;
            }
        };
        new Trainer(Recipe.train(recipe), RunOptions.defaults(), TrainRuns.data(), killed, l).run(TrainRuns.start(), null, true);
        assertEquals(3, resumedAt[0], "resumed from the last finite checkpoint");
        assertTrue(Files.isDirectory(killed.resolve("checkpoints/non-finite-step-000006")), "the bad one is set aside");
        for (String f : List.of(SafetensorsWriter.SINGLE_FILE, TrainCheckpoint.OPTIMIZER_FILE)) {
            assertArrayEquals(Files.readAllBytes(straight.resolve("checkpoints/step-000008").resolve(f)),
                    Files.readAllBytes(killed.resolve("checkpoints/step-000008").resolve(f)), f);
        }
    }

    @Test
    void aNonFiniteCheckpointIsNotWrittenAndRotatesNothingAway(@TempDir Path tmp) {
        TrainRecipe recipe = TrainRuns.recipe(STEPS).build();
        TrainRuns.trainer(recipe, tmp).runUntil(TrainRuns.start(), null, false, 6);
        TrainCheckpoint.Loaded good = TrainCheckpoint.latest(tmp).orElseThrow();
        Map<String, FloatTensor> w = good.weights().tensors();
        w.values().iterator().next().data()[0] = Float.POSITIVE_INFINITY;
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TrainCheckpoint.write(tmp, 9, good.weights(), good.optimizer(), good.state(), 1));
        assertTrue(e.getMessage().contains("1 non-finite"), e.getMessage());
        assertEquals(6, TrainCheckpoint.latest(tmp).orElseThrow().step());
        assertTrue(Files.isDirectory(tmp.resolve("checkpoints/step-000003")), "keep 1 deleted nothing");
    }
}
