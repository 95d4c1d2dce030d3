package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.model.FloatTensor;

/**
 * The engine's safety holds in recovery: a NaN objective (step 3) and an inf adapter gradient
 * (step 5) in a LoRA + KD run are detected, logged and skipped (no update), and the run goes on.
 */
class RecoverNonFiniteTest {
    @Test
    void poisonedStepsAreSkipped(@TempDir Path tmp) {
        Recipe recipe = RecoverRuns.recipe(8, Recipe.Mode.LORA, LossSpec.kd(2.0), 0);
        Trainer run = RecoverRuns.recovery(recipe, tmp, null);
        run.injectFaults(new FaultInjector() {
            @Override
            public NDArray loss(int step, NDArray loss) {
                return step != 3 ? loss : loss.mul(loss.getManager().full(new Shape(), Float.NaN, loss.getDataType()));
            }

            @Override
            public void gradients(int step, TrainableParams params) {
                if (step == 5) {
                    try (NDArray g = params.get("model.layers.1.mlp.up_proj.lora_B.weight").getGradient()) {
                        g.set(new NDIndex(2, 1), Float.POSITIVE_INFINITY);
                    }
                }
            }
        });
        TrainResult r = run.run(RecoverRuns.student(), RecoverRuns.teacher(), false);
        List<TrainLog.Entry> log = r.log().entries();
        assertEquals(2, r.log().skippedCount());
        assertTrue(log.get(2).skipReason().contains("loss"), log.get(2).skipReason());
        assertTrue(log.get(4).skipReason().contains("gradient"), log.get(4).skipReason());
        assertEquals(6, TrainCheckpoint.latest(tmp).orElseThrow().state().get("adam_updates").getAsLong());
        for (FloatTensor t : r.weights().tensors().values()) {
            for (float x : t.data()) {
                assertTrue(Float.isFinite(x));
            }
        }
    }
}
