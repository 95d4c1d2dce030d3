package prunekit.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;

/** Small random models with fixed seeds for tests of every stage. */
public final class TestModels {
    private TestModels() {
    }

    /**
     * A small model with a long context for parity over every position: hidden 32, 2 layers of GQA
     * (2 query heads over 1 KV head of dim 16), FFN 64, max_position_embeddings 4096.
     */
    public static final LlamaConfig LONG_CONTEXT = LlamaConfig.builder().vocabSize(64).hidden(32).headDim(16)
            .uniformLayers(2, new LayerShape(2, 1, 64)).maxPositions(4096).build();

    /** Weights drawn N(0, std²) (norm weights around 1) from {@code seed}. */
    public static LlamaWeights random(LlamaConfig config, long seed, double std) {
        Random r = new Random(seed);
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : LlamaWeights.expectedShapes(config).entrySet()) {
            FloatTensor t = FloatTensor.zeros(e.getValue());
            boolean norm = e.getKey().endsWith("norm.weight");
            for (int i = 0; i < t.data().length; i++) {
                t.data()[i] = (float) (norm ? 1 + 0.1 * r.nextGaussian() : std * r.nextGaussian());
            }
            m.put(e.getKey(), t);
        }
        return new LlamaWeights(config, m, DType.F32);
    }
}
