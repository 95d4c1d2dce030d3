package prunekit.export;

import java.util.List;
import prunekit.core.engine.Decoder;
import prunekit.core.engine.ReferenceForward;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.RopeScaling;

/** Small model shapes the export tests run over, each a named case. */
final class TestConfigs {
    private TestConfigs() {
    }

    record Case(String name, LlamaConfig config) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static LlamaConfig.Builder base() {
        return LlamaConfig.builder().vocabSize(97).hidden(48).headDim(8).maxPositions(64).rmsNormEps(1e-5);
    }

    static final Case MHA = new Case("mha-untied", base().uniformLayers(2, new LayerShape(6, 6, 80)).build());

    static final Case GQA_TIED = new Case("gqa-tied",
            base().uniformLayers(3, new LayerShape(6, 2, 64)).tieWordEmbeddings(true).build());

    static final Case PER_LAYER = new Case("per-layer-with-biases", base()
            .layers(List.of(new LayerShape(6, 3, 40), new LayerShape(0, 0, 24), new LayerShape(4, 1, 0),
                    new LayerShape(2, 2, 72), new LayerShape(0, 0, 0)))
            .attentionBias(true).mlpBias(true).build());

    static final Case LLAMA3_ROPE = new Case("llama3-rope-head16", LlamaConfig.builder().vocabSize(64).hidden(32)
            .headDim(16).uniformLayers(2, new LayerShape(4, 2, 48)).maxPositions(96).ropeTheta(500000)
            .ropeScaling(new RopeScaling(RopeScaling.Type.LLAMA3, 8, 1, 4, 16)).build());

    /** Head dim 12: ONNX Runtime's GroupQueryAttention needs multiples of 8, so OPTIMIZED falls back. */
    static final Case HEAD12 = new Case("gqa-head12", LlamaConfig.builder().vocabSize(80).hidden(36).headDim(12)
            .uniformLayers(2, new LayerShape(4, 2, 40)).maxPositions(64).build());

    static List<Case> all() {
        return List.of(MHA, GQA_TIED, PER_LAYER, LLAMA3_ROPE, HEAD12);
    }

    /** The plain reference's logits (T, vocab) of {@code ids} from position 0. */
    static float[][] reference(LlamaWeights w, int[] ids) {
        try (Decoder d = new ReferenceForward(w).newDecoder()) {
            return d.append(ids);
        }
    }

    /** Deterministic token ids in [0, vocab). */
    static int[] tokens(int n, int vocab, int seed) {
        int[] ids = new int[n];
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(vocab);
        }
        return ids;
    }
}
