package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import prunekit.core.engine.Engines;
import prunekit.core.engine.Losses;
import prunekit.core.engine.Params;
import prunekit.core.engine.Tolerance;
import prunekit.core.engine.Transformer;

/**
 * AdamW on NDArrays against a plain-Java double-precision AdamW fed the same gradients, over
 * several steps with real gradients of a tiny model, one tensor frozen.
 */
class AdamWTest {
    private static final double LR = 1e-2;
    private static final AdamW.Settings SETTINGS = new AdamW.Settings(0.9, 0.95, 1e-8, 0.1);
    private static final String FROZEN = "model.norm.weight";

    /** The obvious AdamW, one element at a time in double (PyTorch's formulation). */
    static final class ReferenceAdamW {
        final Map<String, double[]> p = new HashMap<>();
        final Map<String, double[]> m = new HashMap<>();
        final Map<String, double[]> v = new HashMap<>();
        int t;

        void step(Map<String, float[]> grads, Map<String, Boolean> decays, double lr) {
            t++;
            double bc1 = 1 - Math.pow(SETTINGS.beta1(), t);
            double bc2 = 1 - Math.pow(SETTINGS.beta2(), t);
            for (Map.Entry<String, float[]> e : grads.entrySet()) {
                double[] w = p.get(e.getKey());
                double[] mm = m.computeIfAbsent(e.getKey(), k -> new double[w.length]);
                double[] vv = v.computeIfAbsent(e.getKey(), k -> new double[w.length]);
                float[] g = e.getValue();
                for (int i = 0; i < w.length; i++) {
                    if (decays.get(e.getKey())) {
                        w[i] *= 1 - lr * SETTINGS.weightDecay();
                    }
                    mm[i] = SETTINGS.beta1() * mm[i] + (1 - SETTINGS.beta1()) * g[i];
                    vv[i] = SETTINGS.beta2() * vv[i] + (1 - SETTINGS.beta2()) * g[i] * g[i];
                    double denom = Math.sqrt(vv[i]) / Math.sqrt(bc2) + SETTINGS.eps();
                    w[i] -= lr / bc1 * mm[i] / denom;
                }
            }
        }
    }

    @Test
    void matchesPlainJavaReferenceAndLeavesFrozenTensorsAlone() {
        try (Params params = new Params(TrainRuns.initial()); Transformer model = new Transformer(params)) {
            TrainableParams trainable = new TrainableParams(params, ParamSelection.ALL.freezing(FROZEN.replace(".", "\\.")));
            assertFalse(trainable.names().contains(FROZEN));
            float[] frozenBefore = params.get(FROZEN).toFloatArray();
            ReferenceAdamW ref = new ReferenceAdamW();
            Map<String, Boolean> decays = new HashMap<>();
            for (String n : trainable.names()) {
                ref.p.put(n, Tolerance.toDouble(trainable.get(n).toFloatArray()));
                decays.put(n, trainable.get(n).getShape().dimension() >= 2);
            }
            assertTrue(decays.get("model.layers.0.self_attn.q_proj.weight") && !decays.get("model.layers.0.input_layernorm.weight"));
            try (AdamW opt = new AdamW(trainable, SETTINGS)) {
                for (int step = 1; step <= 4; step++) {
                    Map<String, float[]> grads = backward(model, trainable, step);
                    double lr = LR * step / 4;
                    opt.step(trainable, lr);
                    ref.step(grads, decays, lr);
                    for (String n : trainable.names()) {
                        new Tolerance(1e-6, 1e-5).check("step " + step + " " + n, ref.p.get(n),
                                trainable.get(n).toFloatArray());
                    }
                }
                assertEquals(4, opt.updates());
            }
            assertArrayEquals(frozenBefore, params.get(FROZEN).toFloatArray(), "a frozen tensor never changes");
            assertFalse(params.get(FROZEN).hasGradient(), "a frozen tensor gets no gradient");
        }
    }

    private static Map<String, float[]> backward(Transformer model, TrainableParams trainable, int seed) {
        int[] s = TinyModels.randomStream(3 * 9, TrainRuns.CONFIG.vocabSize(), seed);
        long[] in = new long[3 * 8];
        long[] tg = new long[3 * 8];
        for (int r = 0; r < 3; r++) {
            for (int j = 0; j < 8; j++) {
                in[r * 8 + j] = s[r * 9 + j];
                tg[r * 8 + j] = s[r * 9 + j + 1];
            }
        }
        trainable.zeroGradients();
        try (NDManager m = trainable.params().manager().newSubManager();
             GradientCollector gc = Engines.pytorch().newGradientCollector()) {
            NDArray logits = model.forward(m.create(in, new Shape(3, 8)), null, null);
            logits.attach(m); // closed with m, as is everything computed from it
            gc.backward(Losses.tokenNll(logits, m.create(tg, new Shape(3, 8))).mean());
        }
        Map<String, float[]> grads = new HashMap<>();
        trainable.forEachGradient((name, p, g) -> grads.put(name, g.toFloatArray()));
        assertEquals(List.copyOf(trainable.names()).size(), grads.size());
        return grads;
    }
}
