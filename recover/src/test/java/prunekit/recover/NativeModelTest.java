package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import prunekit.core.TestModels;
import prunekit.core.engine.Tolerance;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;

/**
 * Java → JNI → the C reference backend: the engine's golden run (NativeGoldenTest's file: a tiny
 * per-layer-shape model, CE + 0.5·KD, clipping, 10 AdamW steps) replayed through {@link NativeModel}
 * gives the engine's gradients, losses and final weights. Needs cuda-kernels/build (built by
 * .ci/run); skips, saying so, elsewhere, but fails under CI=true where the library must be there.
 */
class NativeModelTest {
    private static byte[] golden;

    @BeforeAll
    static void library() throws IOException {
        boolean present = Files.isRegularFile(NativeModel.libraryPath());
        if (!present && System.getenv("CI") != null) {
            throw new IllegalStateException(NativeModel.libraryPath() + " is missing under CI: .ci/run must build cuda-kernels first");
        }
        Assumptions.assumeTrue(present, "no " + NativeModel.libraryPath() + " (build it with bash cuda-kernels/ci.sh)");
        golden = Files.readAllBytes(Path.of(System.getProperty("prunekit.root", "."))
                .resolve("cuda-kernels/golden/engine-tiny.pkgold"));
    }

    @Test
    void theCReferenceThroughJniReplaysTheEnginesTenSteps() {
        LlamaConfig c = NativeGoldenTest.config();
        int[] ids = NativeGoldenFile.readI32(golden, "ids");
        int[] targets = NativeGoldenFile.readI32(golden, "targets");
        float[] teacher = NativeGoldenFile.readF32(golden, "teacher_logits");
        float[] losses = NativeGoldenFile.readF32(golden, "losses");
        try (NativeModel m = NativeModel.open(NativeModel.Backend.CPU_REFERENCE, c, NativeGoldenTest.B, NativeGoldenTest.T)) {
            m.setWeights(TestModels.random(c, 5, 0.3));
            for (int step = 0; step < NativeGoldenTest.STEPS; step++) {
                m.zeroGradients();
                NativeModel.Loss loss = m.forwardBackward(ids, targets, teacher, 1, NativeGoldenTest.KD_WEIGHT,
                        NativeGoldenTest.TEMPERATURE);
                assertEquals(losses[step], loss.loss(), 1e-5 + 1e-5 * losses[step], "loss of step " + (step + 1));
                if (step == 0) {
                    for (Map.Entry<String, FloatTensor> e : m.gradients().entrySet()) {
                        new Tolerance(1e-6, 1e-4).check("gradient of " + e.getKey(),
                                Tolerance.toDouble(NativeGoldenFile.readF32(golden, "grad/" + e.getKey())), e.getValue().data());
                    }
                }
                m.step(NativeGoldenTest.ADAMW, NativeGoldenTest.LR, NativeGoldenTest.CLIP);
            }
            LlamaWeights after = m.weights(DType.F32);
            assertEquals(LlamaWeights.expectedShapes(c).keySet(), after.tensors().keySet());
            for (Map.Entry<String, FloatTensor> e : after.tensors().entrySet()) {
                new Tolerance(1e-5, 1e-5).check("weights of " + e.getKey() + " after 10 steps",
                        Tolerance.toDouble(NativeGoldenFile.readF32(golden, "final/" + e.getKey())), e.getValue().data());
            }
        }
    }

    /** Five steps, a checkpoint (weights, moments, update count) into a fresh model, five more: bit-identical to ten. */
    @Test
    void resumingFromWeightsAndOptimizerStateIsExact() {
        LlamaConfig c = NativeGoldenTest.config();
        int[] ids = NativeGoldenFile.readI32(golden, "ids");
        int[] targets = NativeGoldenFile.readI32(golden, "targets");
        try (NativeModel straight = NativeModel.open(NativeModel.Backend.CPU_REFERENCE, c, NativeGoldenTest.B, NativeGoldenTest.T);
             NativeModel resumed = NativeModel.open(NativeModel.Backend.CPU_REFERENCE, c, NativeGoldenTest.B, NativeGoldenTest.T)) {
            straight.setWeights(TestModels.random(c, 5, 0.3));
            steps(straight, ids, targets, 5);
            LlamaWeights w = straight.weights(DType.F32);
            Map<String, FloatTensor> state = straight.optimizerState();
            assertEquals(2 * LlamaWeights.expectedShapes(c).size(), state.size(), "an m and a v per tensor");
            resumed.setWeights(w);
            resumed.loadOptimizerState(state, straight.updates());
            steps(straight, ids, targets, 5);
            steps(resumed, ids, targets, 5);
            assertEquals(10, resumed.updates());
            LlamaWeights a = straight.weights(DType.F32);
            LlamaWeights b = resumed.weights(DType.F32);
            for (String name : a.tensors().keySet()) {
                assertArrayEquals(a.get(name).data(), b.get(name).data(), name + " after resume");
            }
        }
    }

    private static void steps(NativeModel m, int[] ids, int[] targets, int n) {
        for (int i = 0; i < n; i++) {
            m.zeroGradients();
            m.forwardBackward(ids, targets, (NativeModel) null, 1, 0, 1);
            assertTrue(Double.isFinite(m.gradientNorm()));
            m.step(NativeGoldenTest.ADAMW, NativeGoldenTest.LR, NativeGoldenTest.CLIP);
        }
    }

    /**
     * A dense teacher of another shape as a forward-only native model: a student step reading its
     * logits in place equals the step given the same logits through Java, to the bit; a teacher
     * cannot train, and one of another batch is refused naming why.
     */
    @Test
    void aForwardOnlyTeacherGivesTheSameStepAsItsLogitsThroughJava() {
        LlamaConfig c = NativeGoldenTest.config();
        LlamaConfig dense = LlamaConfig.builder().vocabSize(c.vocabSize()).hidden(24).headDim(6).maxPositions(16)
                .layers(java.util.List.of(new prunekit.core.model.LayerShape(4, 2, 32),
                        new prunekit.core.model.LayerShape(4, 2, 32)))
                .build();
        int[] ids = NativeGoldenFile.readI32(golden, "ids");
        int[] targets = NativeGoldenFile.readI32(golden, "targets");
        int b = NativeGoldenTest.B;
        int t = NativeGoldenTest.T;
        try (NativeModel teacher = NativeModel.openTeacher(NativeModel.Backend.CPU_REFERENCE, dense, b, t);
             NativeModel viaHandle = NativeModel.open(NativeModel.Backend.CPU_REFERENCE, c, b, t);
             NativeModel viaJava = NativeModel.open(NativeModel.Backend.CPU_REFERENCE, c, b, t);
             NativeModel otherBatch = NativeModel.openTeacher(NativeModel.Backend.CPU_REFERENCE, dense, 1, t)) {
            teacher.setWeights(TestModels.random(dense, 9, 0.3));
            viaHandle.setWeights(TestModels.random(c, 5, 0.3));
            viaJava.setWeights(TestModels.random(c, 5, 0.3));
            for (int step = 0; step < 3; step++) {
                viaHandle.zeroGradients();
                NativeModel.Loss a = viaHandle.forwardBackward(ids, targets, teacher, 0.3, 0.7, 2.0);
                float[] logits = teacher.logits(); // the forward the handle path just ran
                viaJava.zeroGradients();
                NativeModel.Loss j = viaJava.forwardBackward(ids, targets, logits, 0.3, 0.7, 2.0);
                assertEquals(j, a, "loss parts of step " + (step + 1));
                assertTrue(Double.isFinite(a.kd()) && a.kd() > 0, "a KD term: " + a);
                viaHandle.step(NativeGoldenTest.ADAMW, NativeGoldenTest.LR, NativeGoldenTest.CLIP);
                viaJava.step(NativeGoldenTest.ADAMW, NativeGoldenTest.LR, NativeGoldenTest.CLIP);
            }
            LlamaWeights x = viaHandle.weights(DType.F32);
            LlamaWeights y = viaJava.weights(DType.F32);
            for (String name : x.tensors().keySet()) {
                assertArrayEquals(y.get(name).data(), x.get(name).data(), name);
            }
            assertThrows(IllegalStateException.class, teacher::zeroGradients, "a teacher has no gradients");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> viaHandle.forwardBackward(ids, targets, otherBatch, 0.3, 0.7, 2.0));
            assertTrue(e.getMessage().contains("batch"), e.getMessage());
        }
    }

    @Test
    void wrongSizesAndMissingDevicesAreReportedNotCrashed() {
        LlamaConfig c = NativeGoldenTest.config();
        try (NativeModel m = NativeModel.open(NativeModel.Backend.CPU_REFERENCE, c, 1, 4)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.forwardBackward(new int[3], new int[4], (NativeModel) null, 1, 0, 1));
            assertTrue(e.getMessage().contains("ids"), e.getMessage());
        }
        Assumptions.assumeTrue(NativeModel.cudaUnavailable().isPresent(), "a CUDA device is present");
        IllegalArgumentException noGpu = assertThrows(IllegalArgumentException.class,
                () -> NativeModel.open(NativeModel.Backend.CUDA, c, 1, 4).close());
        assertTrue(noGpu.getMessage().startsWith("--device cuda"), noGpu.getMessage());
    }
}
