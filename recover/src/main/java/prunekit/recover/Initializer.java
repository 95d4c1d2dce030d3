package prunekit.recover;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import prunekit.core.engine.MemoryCheck;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;

/**
 * Weights for training from scratch, GPT-2 / LLaMA style: every matrix N(0, std²), the residual
 * output projections (o_proj, down_proj) N(0, (std / √(2·layers))²), norm weights 1, biases 0.
 * Each tensor draws from its own generator seeded by (seed, tensor name), so the values do not
 * depend on the order tensors are made in.
 */
public final class Initializer {
    private Initializer() {
    }

    public static LlamaWeights initialize(LlamaConfig config, long seed, double std) {
        if (!(std > 0)) {
            throw new IllegalArgumentException("init std must be positive, got " + std);
        }
        MemoryCheck.requireHeap("new fp32 weights of " + config.parameterCount() + " parameters",
                MemoryCheck.bytes(config.parameterCount(), 4), "give a smaller config or raise the heap"
                        + " (PRUNEKIT_JAVA_OPTS=-Xmx...)");
        double residualStd = std / Math.sqrt(2.0 * config.numLayers());
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : LlamaWeights.expectedShapes(config).entrySet()) {
            String name = e.getKey();
            FloatTensor t = FloatTensor.zeros(e.getValue());
            float[] d = t.data();
            if (name.endsWith("norm.weight")) {
                java.util.Arrays.fill(d, 1f);
            } else if (!name.endsWith(".bias")) {
                double s = isResidualOutput(name, config.numLayers()) ? residualStd : std;
                SplittableRandom r = new SplittableRandom(WindowSampler.mix(seed, name.hashCode()));
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) (s * r.nextGaussian());
                }
            }
            m.put(name, t);
        }
        return new LlamaWeights(config, m, DType.F32);
    }

    private static boolean isResidualOutput(String name, int layers) {
        for (int i = 0; i < layers; i++) {
            if (name.equals(TensorNames.weight(i, Proj.O)) || name.equals(TensorNames.weight(i, Proj.DOWN))) {
                return true;
            }
        }
        return false;
    }
}
