package prunekit.core.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded random weights for a config, for benchmarks and tests where speed, not the values,
 * matters: each tensor is drawn from its own stream seeded by (seed, tensor name), so any tensor
 * can be made alone, on demand, and is the same every time. Linear weights are uniform with
 * standard deviation 1/sqrt(fan_in) (activations stay of order 1), embeddings of order 1, norm
 * weights 1 ± 0.1, biases ± 0.1.
 */
public final class RandomWeights {
    private RandomWeights() {
    }

    /** All tensors of {@code config} in memory, as checked fp32 weights. */
    public static LlamaWeights of(LlamaConfig config, long seed) {
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        LlamaWeights.expectedShapes(config).forEach((name, shape) -> m.put(name, tensor(name, shape, seed)));
        return new LlamaWeights(config, m, DType.F32);
    }

    /** The tensor {@code name} of {@code shape} (the same as in {@link #of}). */
    public static FloatTensor tensor(String name, int[] shape, long seed) {
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        float[] data = new float[Math.toIntExact(FloatTensor.numel(shape))];
        double half;          // values are center ± half, uniform
        float center = 0;
        if (name.endsWith("norm.weight")) {
            center = 1;
            half = 0.1;
        } else if (shape.length == 1) {
            half = 0.1;
        } else {
            double std = name.equals(TensorNames.EMBED) ? 1.0 : 1.0 / Math.sqrt(shape[1]);
            half = std * Math.sqrt(3);
        }
        for (int i = 0; i < data.length; i++) {
            data[i] = center + (float) ((2 * rng.nextDouble() - 1) * half);
        }
        return new FloatTensor(shape, data);
    }
}
