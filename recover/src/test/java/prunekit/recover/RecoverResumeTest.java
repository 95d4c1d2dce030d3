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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import prunekit.core.io.SafetensorsWriter;

/**
 * A recovery run killed after step 7 (last checkpoint at step 6) and resumed by a fresh Recovery
 * ends with the same bytes as a run never interrupted: weights, optimizer moments and LoRA
 * adapters, the recovered model, the log; for LoRA with KD, full with mix + hidden matching, and
 * LoRA with a top-k cached teacher.
 */
class RecoverResumeTest {
    private static final int STEPS = 8;

    static Stream<Arguments> runs() {
        return Stream.of(
                Arguments.of(Recipe.Mode.LORA, LossSpec.kd(2.0), 0),
                Arguments.of(Recipe.Mode.FULL, RecoverRuns.mixWithHidden(), 0),
                Arguments.of(Recipe.Mode.LORA, new LossSpec(LossKind.MIX, 0.5, 1.0, 0, List.of()), 4));
    }

    @ParameterizedTest
    @MethodSource("runs")
    void killedAndResumedRunIsBitIdentical(Recipe.Mode mode, LossSpec loss, int topK, @TempDir Path tmp)
            throws IOException {
        Recipe recipe = RecoverRuns.recipe(STEPS, mode, loss, topK);
        Path straight = tmp.resolve("straight");
        Path killed = tmp.resolve("killed");
        Path cache = topK > 0 ? tmp.resolve("cache") : null;
        TrainResult a = RecoverRuns.recovery(recipe, straight, cache).run(RecoverRuns.student(), RecoverRuns.teacher(), false);
        assertTrue(a.finished());

        TrainResult partial = RecoverRuns.recovery(recipe, killed, cache)
                .runUntil(RecoverRuns.student(), RecoverRuns.teacher(), false, 7);
        assertFalse(partial.finished());
        assertEquals(6, TrainCheckpoint.latest(killed).orElseThrow().step(), "step 7 was lost with the kill");
        TrainResult b = RecoverRuns.recovery(recipe, killed, cache).run(RecoverRuns.student(), RecoverRuns.teacher(), true);
        assertTrue(b.finished());

        for (String f : List.of(SafetensorsWriter.SINGLE_FILE, TrainCheckpoint.OPTIMIZER_FILE)) {
            assertArrayEquals(Files.readAllBytes(straight.resolve("checkpoints/step-000008").resolve(f)),
                    Files.readAllBytes(killed.resolve("checkpoints/step-000008").resolve(f)), f + " differs");
        }
        assertArrayEquals(Files.readAllBytes(straight.resolve("recovered").resolve(SafetensorsWriter.SINGLE_FILE)),
                Files.readAllBytes(killed.resolve("recovered").resolve(SafetensorsWriter.SINGLE_FILE)), "recovered model");
        for (String name : a.weights().tensors().keySet()) {
            assertArrayEquals(a.weights().get(name).data(), b.weights().get(name).data(), name);
        }
        JsonObject ra = report(straight);
        JsonObject rb = report(killed);
        assertEquals(ra.get("log").getAsJsonArray().size(), rb.get("log").getAsJsonArray().size());
        for (int i = 0; i < STEPS; i++) {
            JsonObject ea = ra.getAsJsonArray("log").get(i).getAsJsonObject();
            JsonObject eb = rb.getAsJsonArray("log").get(i).getAsJsonObject();
            for (String k : List.of("loss", "ce", "kd", "hidden", "valid_loss")) {
                assertEquals(ea.get(k), eb.get(k), k + " of step " + (i + 1));
            }
        }
        assertEquals(ra.get("valid_curve"), rb.get("valid_curve"));
        assertEquals(ra.get("best_step"), rb.get("best_step"));
        assertTrue(ra.has("teacher_valid_perplexity") && ra.has("pruned_valid_perplexity"));
    }

    @Test
    void refusesToResumeWithAnotherObjective(@TempDir Path tmp) {
        Recipe recipe = RecoverRuns.recipe(3, Recipe.Mode.LORA, LossSpec.kd(1.0), 0);
        RecoverRuns.recovery(recipe, tmp, null).run(RecoverRuns.student(), RecoverRuns.teacher(), false);
        assertThrows(IllegalArgumentException.class,
                () -> RecoverRuns.recovery(recipe, tmp, null).run(RecoverRuns.student(), RecoverRuns.teacher(), false));
        Recipe other = RecoverRuns.recipe(3, Recipe.Mode.LORA, LossSpec.kd(2.0), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecoverRuns.recovery(other, tmp, null).run(RecoverRuns.student(), RecoverRuns.teacher(), true));
        assertTrue(e.getMessage().contains("temperature"), e.getMessage());
    }

    private static JsonObject report(Path dir) throws IOException {
        return JsonParser.parseString(Files.readString(dir.resolve(RunReport.RECOVER_FILE))).getAsJsonObject();
    }
}
