package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.engine.Params;
import prunekit.core.engine.Tolerance;
import prunekit.core.engine.Transformer;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.Model;

/**
 * LoRA: the merged model computes the adapted model's logits (1e-5); fresh adapters change nothing;
 * a LoRA run changes only the adapters (the base weights stay bit-identical, in memory and in the
 * checkpoint) and its recovered model is the merge.
 */
class LoraTest {
    private static final int[] IDS = {1, 5, 9, 2, 31, 0, 7, 7, 12, 30, 4};

    /** Random A and B (B is zero at creation, which would make the test trivial). */
    private static Map<String, FloatTensor> randomAdapters(Params base, LoraSpec spec) {
        Random r = new Random(11);
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        try (LoraAdapters fresh = LoraAdapters.create(base, spec)) {
            fresh.state().forEach((name, t) -> {
                float[] d = new float[t.data().length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) (0.3 * r.nextGaussian());
                }
                m.put(name, new FloatTensor(t.shape(), d));
            });
        }
        return m;
    }

    @Test
    void mergedModelGivesTheAdaptedModelsLogits() {
        Model student = RecoverRuns.student();
        LoraSpec spec = RecoverRuns.lora();
        try (Params base = new Params(student.weights());
             LoraAdapters lora = LoraAdapters.of(base, spec, randomAdapters(base, spec))) {
            float[][] adapted;
            try (Params eff = lora.effective(); Transformer t = new Transformer(eff)) {
                adapted = t.logits(IDS);
            }
            LlamaWeights merged = lora.merge(DType.F32);
            float[][] mergedLogits;
            try (Transformer t = new Transformer(merged)) {
                mergedLogits = t.logits(IDS);
            }
            new Tolerance(1e-5, 0).check("merged vs adapted logits", Tolerance.toDouble(adapted), mergedLogits);
            float[][] plain;
            try (Transformer t = new Transformer(student.weights())) {
                plain = t.logits(IDS);
            }
            assertFalse(Arrays.deepEquals(plain, adapted), "random adapters must change the logits");
        }
    }

    @Test
    void freshAdaptersChangeNothing() {
        Model student = RecoverRuns.student();
        try (Params base = new Params(student.weights()); LoraAdapters lora = LoraAdapters.create(base, RecoverRuns.lora())) {
            LlamaWeights merged = lora.merge(DType.F32);
            for (String name : merged.tensors().keySet()) {
                assertArrayEquals(student.weights().get(name).data(), merged.get(name).data(), name);
            }
            assertEquals(2L * 2 * ((8 + 16) + 2 * (4 + 16) + (16 + 8) + 3 * (10 + 16)), lora.count(),
                    "rank 2 on q, k, v, o, gate, up, down of both layers");
        }
    }

    @Test
    void aLoraRunChangesOnlyTheAdapters(@TempDir Path tmp) {
        Model student = RecoverRuns.student();
        Recipe recipe = RecoverRuns.recipe(4, Recipe.Mode.LORA, LossSpec.ce(), 0);
        TrainResult r = RecoverRuns.recovery(recipe, tmp, null).run(student, null, false);
        TrainCheckpoint.Loaded ck = TrainCheckpoint.latest(tmp).orElseThrow();
        for (String name : student.weights().tensors().keySet()) {
            assertArrayEquals(student.weights().get(name).data(), ck.weights().get(name).data(),
                    "base weight " + name + " must stay bit-identical");
        }
        int changed = 0;
        for (String name : student.weights().tensors().keySet()) {
            if (!Arrays.equals(student.weights().get(name).data(), r.weights().get(name).data())) {
                changed++;
                assertTrue(name.contains("proj"), name + " changed but is not a LoRA target");
            }
        }
        assertEquals(2 * 7, changed, "every targeted projection moved");
        assertTrue(ck.optimizer().keySet().stream().anyMatch(k -> k.startsWith(Student.ADAPTER_PREFIX)));
        try (Params base = new Params(ck.weights());
             LoraAdapters a = LoraAdapters.of(base, RecoverRuns.lora(), adapters(ck.optimizer()))) {
            LlamaWeights merged = a.merge(DType.F32);
            for (String name : merged.tensors().keySet()) {
                assertArrayEquals(merged.get(name).data(), r.weights().get(name).data(), "merge of the checkpoint: " + name);
            }
        }
    }

    @Test
    void rejectsAdaptersOfAnotherRank() {
        Model student = RecoverRuns.student();
        try (Params base = new Params(student.weights())) {
            Map<String, FloatTensor> rank2 = randomAdapters(base, RecoverRuns.lora());
            LoraSpec rank3 = new LoraSpec(3, 4, RecoverRuns.lora().targets(), 5);
            assertThrows(IllegalArgumentException.class, () -> LoraAdapters.of(base, rank3, rank2));
        }
    }

    private static Map<String, FloatTensor> adapters(Map<String, FloatTensor> extra) {
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        extra.forEach((k, v) -> {
            if (k.startsWith(Student.ADAPTER_PREFIX)) {
                m.put(k.substring(Student.ADAPTER_PREFIX.length()), v);
            }
        });
        return m;
    }
}
