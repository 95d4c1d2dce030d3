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

    /** {@code n} ids in 0..vocab-1 from {@code Random(seed)}. */
    public static int[] randomIds(int n, int vocab, long seed) {
        int[] ids = new int[n];
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(vocab);
        }
        return ids;
    }

    /**
     * The fp32 bytes a layer-at-a-time pass over {@code c} holds at its peak: the largest of the
     * embedding, one decoder layer (layer 0's tensors) and final norm + head (tied: the embedding).
     */
    public static long oneLayerPeakBytes(LlamaConfig c) {
        long layer = layerBytes(c);
        long embed = 4L * c.vocabSize() * c.hidden();
        long head = embed + 4L * c.hidden();
        return Math.max(embed, Math.max(layer, head));
    }

    /** Layer 0's fp32 bytes. */
    public static long layerBytes(LlamaConfig c) {
        long layer = 0;
        for (Map.Entry<String, int[]> e : LlamaWeights.expectedShapes(c).entrySet()) {
            if (e.getKey().startsWith(prunekit.core.model.TensorNames.layer(0))) {
                layer += 4 * FloatTensor.numel(e.getValue());
            }
        }
        return layer;
    }
}
