package prunekit.export;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import prunekit.core.io.TensorSource;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;

/**
 * Models with random weights for benchmarks and tests, where speed does not depend on the
 * values: each tensor is drawn from its own stream seeded by (seed, tensor name), so any tensor
 * can be made alone, on demand, and is the same every time. Linear weights are uniform with
 * standard deviation 1/sqrt(fan_in) (activations stay of order 1), embeddings of order 1, norm
 * weights 1 ± 0.1, biases ± 0.1.
 */
public final class SyntheticModels {
    private SyntheticModels() {
    }

    /**
     * A 1.1B-parameter LLaMA shape (TinyLlama's sizes with multi-head attention): hidden 2048,
     * FFN 5632, 16 heads of 128, 22 layers, vocabulary 32000, untied head, 2048 positions.
     */
    public static LlamaConfig oneBillionShaped() {
        return LlamaConfig.builder().vocabSize(32000).hidden(2048).headDim(128)
                .uniformLayers(22, new LayerShape(16, 16, 5632)).maxPositions(2048).build();
    }

    /** Tensors made when asked for (nothing is held): for exporting models larger than the heap. */
    public static TensorSource source(LlamaConfig config, long seed) {
        Map<String, int[]> shapes = LlamaWeights.expectedShapes(config);
        return new TensorSource() {
            @Override
            public LlamaConfig config() {
                return config;
            }

            @Override
            public DType storedDtype() {
                return DType.F32;
            }

            @Override
            public String source() {
                return "synthetic (seed " + seed + ")";
            }

            @Override
            public void close() {
            }

            @Override
            public FloatTensor read(String name) {
                int[] shape = shapes.get(name);
                if (shape == null) {
                    throw new IllegalArgumentException("a model of this config has no tensor " + name);
                }
                return make(name, shape, seed);
            }
        };
    }

    /**
     * Exports a random model of {@code config} straight to ONNX, making each tensor only while it
     * is written (a 1B-shaped model needs no more heap than its largest tensor).
     */
    public static OnnxWriter.Result export(LlamaConfig config, long seed, Path out, OnnxWriter.Options options)
            throws IOException {
        return OnnxWriter.write(source(config, seed), out, options);
    }

    /** All tensors in memory, as a checked {@link LlamaWeights}. */
    public static LlamaWeights weights(LlamaConfig config, long seed) {
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        LlamaWeights.expectedShapes(config).forEach((name, shape) -> m.put(name, make(name, shape, seed)));
        return new LlamaWeights(config, m, DType.F32);
    }

    static FloatTensor make(String name, int[] shape, long seed) {
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        float[] data = new float[Math.toIntExact(FloatTensor.numel(shape))];
        boolean isNorm = name.endsWith("norm.weight");
        boolean isEmbedding = List.of("model.embed_tokens.weight").contains(name);
        double half;          // values are center ± half, uniform
        float center = 0;
        if (isNorm) {
            center = 1;
            half = 0.1;
        } else if (shape.length == 1) {
            half = 0.1;
        } else {
            double std = isEmbedding ? 1.0 : 1.0 / Math.sqrt(shape[1]);
            half = std * Math.sqrt(3);
        }
        for (int i = 0; i < data.length; i++) {
            data[i] = center + (float) ((2 * rng.nextDouble() - 1) * half);
        }
        return new FloatTensor(shape, data);
    }
}
