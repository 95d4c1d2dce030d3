package prunekit.export;

import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;

/**
 * The weights the ONNX writer reads, one tensor at a time and only while writing it, under HF
 * LLaMA names ({@link prunekit.core.model.TensorNames}) with HF shapes. Backed by a
 * {@link LlamaWeights} in memory, or by something that makes tensors on demand (a synthetic
 * random model, a memory-mapped checkpoint) so a model larger than the heap can be exported.
 */
public interface WeightSource {
    LlamaConfig config();

    /** The tensor {@code name}, shaped as {@link LlamaWeights#expectedShapes} says. */
    FloatTensor tensor(String name);

    static WeightSource of(LlamaWeights weights) {
        return new WeightSource() {
            @Override
            public LlamaConfig config() {
                return weights.config();
            }

            @Override
            public FloatTensor tensor(String name) {
                return weights.get(name);
            }
        };
    }
}
