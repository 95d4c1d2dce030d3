package prunekit.export;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import prunekit.core.io.TensorSource;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.RandomWeights;

/**
 * Models with random weights ({@link RandomWeights}) for benchmarks and tests, where speed does
 * not depend on the values: a realistic 1B shape, and export straight to ONNX with each tensor
 * made only when it is written.
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
                return RandomWeights.tensor(name, shape, seed);
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
}
