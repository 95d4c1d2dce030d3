package prunekit.recover;

import java.util.Random;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;

/** Tiny configs and token streams with fixed seeds for the training tests. */
final class TinyModels {
    private TinyModels() {
    }

    /** 2 layers, GQA (4 query heads over 2 KV heads), untied head, no biases: trains in milliseconds. */
    static LlamaConfig small() {
        return LlamaConfig.builder().vocabSize(32).hidden(16).headDim(4).maxPositions(32)
                .uniformLayers(2, new LayerShape(4, 2, 24)).build();
    }

    /** Every parameter kind: embedding, norms, q/k/v/o, gate/up/down, lm_head and all biases. */
    static LlamaConfig everyKind() {
        return LlamaConfig.builder().vocabSize(11).hidden(8).headDim(4).maxPositions(8)
                .uniformLayers(2, new LayerShape(2, 1, 6)).attentionBias(true).mlpBias(true).build();
    }

    /** A random token stream of {@code n} ids below {@code vocab}. */
    static int[] randomStream(int n, int vocab, long seed) {
        Random r = new Random(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(vocab);
        }
        return ids;
    }
}
