package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.model.FloatTensor;

/** A NaN loss (step 3) and an inf gradient (step 5) are detected, logged, skipped; training goes on. */
class NonFiniteStepTest {

    @Test
    void poisonedStepsAreSkippedAndCountedAndLaterStepsAreFinite(@TempDir Path tmp) {
        TrainRecipe recipe = TrainRuns.recipe(8).build();
        Trainer trainer = TrainRuns.trainer(recipe, tmp);
        trainer.injectFaults(new FaultInjector() {
            @Override
            public NDArray loss(int step, NDArray loss) {
                if (step != 3) {
                    return loss;
                }
                NDArray nan = loss.getManager().full(new Shape(), Float.NaN, loss.getDataType());
                return loss.mul(nan);
            }

            @Override
            public void gradients(int step, TrainableParams params) {
                if (step == 5) {
                    try (NDArray g = params.get("model.layers.1.mlp.up_proj.weight").getGradient()) {
                        g.set(new NDIndex(2, 3), Float.POSITIVE_INFINITY);
                    }
                }
            }
        });
        TrainResult r = trainer.run(TrainRuns.start(), null, false);
        List<TrainLog.Entry> log = r.log().entries();
        assertEquals(2, r.log().skippedCount());
        assertTrue(log.get(2).skipReason().contains("loss"), log.get(2).skipReason());
        assertTrue(log.get(4).skipReason().contains("gradient"), log.get(4).skipReason());
        for (int i : new int[] {0, 1, 3, 5, 6, 7}) {
            assertNull(log.get(i).skipReason());
            assertTrue(Double.isFinite(log.get(i).loss()) && Double.isFinite(log.get(i).gradNorm()), "step " + (i + 1));
        }
        TrainCheckpoint.Loaded last = TrainCheckpoint.latest(tmp).orElseThrow();
        assertEquals(6, last.state().get("adam_updates").getAsLong(), "skipped steps apply no update");
        for (FloatTensor t : r.weights().tensors().values()) {
            for (float x : t.data()) {
                assertTrue(Float.isFinite(x));
            }
        }
    }
}
