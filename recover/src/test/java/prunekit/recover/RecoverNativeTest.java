package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.engine.Tolerance;
import prunekit.core.io.SafetensorsWriter;
import prunekit.core.model.DType;

/**
 * {@code recover --device cpu-native}: the whole Trainer loop (windows, micro-batches, teacher,
 * clipping, AdamW, validation, checkpoints, the recovered model) with the step in the C reference
 * through JNI. Its loss curve and weights match the DJL run's within fp32 tolerance, and a run
 * killed after step 7 and resumed ends with the same bytes as one never interrupted.
 */
class RecoverNativeTest {
    private static final int STEPS = 8;
    private static final LossSpec MIX = new LossSpec(LossKind.MIX, 0.7, 2.0, 0, List.of());

    @BeforeAll
    static void library() {
        boolean present = Files.isRegularFile(NativeModel.libraryPath());
        if (!present && System.getenv("CI") != null) {
            throw new IllegalStateException(NativeModel.libraryPath() + " is missing under CI: .ci/run must build cuda-kernels first");
        }
        Assumptions.assumeTrue(present, "no " + NativeModel.libraryPath() + " (build it with bash cuda-kernels/ci.sh)");
    }

    private static Trainer trainer(Device device, Path out) {
        return new Trainer(RecoverRuns.recipe(STEPS, Recipe.Mode.FULL, MIX, 0), new RunOptions(null, null, device),
                TrainRuns.data(), out, TrainListener.NONE);
    }

    @Test
    void cpuNativeMatchesTheEngineAndResumesExactly(@TempDir Path tmp) throws IOException {
        TrainResult engine = trainer(Device.CPU, tmp.resolve("cpu")).run(RecoverRuns.student(), RecoverRuns.teacher(), false);
        TrainResult nat = trainer(Device.CPU_NATIVE, tmp.resolve("native")).run(RecoverRuns.student(), RecoverRuns.teacher(), false);
        assertTrue(nat.finished());
        Tolerance curve = new Tolerance(1e-5, 1e-5);
        for (int i = 0; i < STEPS; i++) {
            TrainLog.Entry a = engine.log().entries().get(i);
            TrainLog.Entry b = nat.log().entries().get(i);
            assertTrue(curve.accepts(a.loss(), b.loss()), "loss of step " + (i + 1) + ": " + a.loss() + " vs " + b.loss());
            assertTrue(curve.accepts(a.ce(), b.ce()), "ce of step " + (i + 1));
            assertTrue(curve.accepts(a.kd(), b.kd()), "kd of step " + (i + 1));
        }
        for (String name : engine.weights().tensors().keySet()) {
            new Tolerance(1e-5, 1e-4).check(name, Tolerance.toDouble(engine.weights().get(name).data()),
                    nat.weights().get(name).data());
        }
        assertTrue(Files.isRegularFile(tmp.resolve("native/recovered").resolve(SafetensorsWriter.SINGLE_FILE)));

        Path killed = tmp.resolve("killed");
        assertFalse(trainer(Device.CPU_NATIVE, killed).runUntil(RecoverRuns.student(), RecoverRuns.teacher(), false, 7).finished());
        TrainResult resumed = trainer(Device.CPU_NATIVE, killed).run(RecoverRuns.student(), RecoverRuns.teacher(), true);
        assertTrue(resumed.finished());
        for (String f : List.of(SafetensorsWriter.SINGLE_FILE, TrainCheckpoint.OPTIMIZER_FILE)) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("native/checkpoints/step-000008").resolve(f)),
                    Files.readAllBytes(killed.resolve("checkpoints/step-000008").resolve(f)), f + " after resume");
        }
        assertEquals(nat.log().lastLoss(), resumed.log().lastLoss());
    }

    /** Steps change only the native model; sync() brings its weights and moments into the student and AdamW. */
    @Test
    void theNativeStepCopiesBackOnlyOnSync() {
        Recipe recipe = RecoverRuns.recipe(STEPS, Recipe.Mode.FULL, MIX, 0);
        TrainData data = TrainRuns.data();
        String name = "model.layers.0.mlp.up_proj.weight";
        try (Student student = Student.full(RecoverRuns.student().weights(), ParamSelection.ALL);
             AdamW opt = new AdamW(student.trainable(), recipe.train().adamW());
             NativeTrainStep step = new NativeTrainStep(NativeModel.Backend.CPU_REFERENCE, student,
                     RecoverRuns.teacher().weights(), opt, recipe,
                     new WindowSampler(data.train(), recipe.train().seq(), recipe.train().seed()), Map.of())) {
            float[] start = student.weights(DType.F32).get(name).data();
            assertTrue(step.run(1, 1e-2).skipReason() == null && step.run(2, 1e-2).skipReason() == null);
            assertEquals(2, step.updates());
            assertEquals(0, opt.updates(), "AdamW is not touched by a step");
            assertArrayEquals(start, student.weights(DType.F32).get(name).data(), "nor are the student's weights");
            step.sync();
            assertEquals(2, opt.updates());
            assertFalse(Arrays.equals(start, student.weights(DType.F32).get(name).data()), "sync copies the weights back");
            assertFalse(Arrays.equals(new float[start.length], opt.state().get("m." + name).data()), "and the moments");
        }
    }

    @Test
    void whatTheNativeStepCannotDoIsRefusedWithTheWayOut(@TempDir Path tmp) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(RecoverRuns.recipe(STEPS, Recipe.Mode.LORA, MIX, 0),
                        new RunOptions(null, null, Device.CPU_NATIVE), TrainRuns.data(), tmp, TrainListener.NONE));
        assertTrue(e.getMessage().contains("LoRA") && e.getMessage().contains("--device cpu"), e.getMessage());
    }
}
