package prunekit.prune;

import java.util.List;
import java.util.Random;
import prunekit.calibrate.CalibrationOptions;
import prunekit.calibrate.CalibrationSet;
import prunekit.core.TestModels;
import prunekit.core.engine.Transformer;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.Model;

/** Small random models and calibration sets with fixed seeds for the prune tests. */
public final class Fixtures {
    private Fixtures() {
    }

    /** 3 layers, hidden 24, head dim 6, 4 query heads in {@code kvHeads} KV groups, FFN 40, vocab 60. */
    public static LlamaConfig config(int kvHeads, boolean tied) {
        return LlamaConfig.builder().vocabSize(60).hidden(24).headDim(6)
                .uniformLayers(3, new LayerShape(4, kvHeads, 40)).tieWordEmbeddings(tied).maxPositions(64).build();
    }

    /**
     * Hidden 24, head dim 6, per-layer shapes (4 heads in 2 KV groups, FFN 40; 6 heads in 3 groups,
     * FFN 24; 2 heads in 2 groups, FFN 16), q/k/v/o and gate/up/down biases, untied head, vocab 60.
     */
    public static LlamaConfig biased() {
        return LlamaConfig.builder().vocabSize(60).hidden(24).headDim(6)
                .layers(List.of(new LayerShape(4, 2, 40), new LayerShape(6, 3, 24), new LayerShape(2, 2, 16)))
                .attentionBias(true).mlpBias(true).maxPositions(64).build();
    }

    public static Model model(LlamaConfig c, long seed) {
        LlamaWeights w = TestModels.random(c, seed, 0.25);
        return new Model(c, w, null, "random-" + seed);
    }

    /** 8 windows of 16 tokens from a seeded random stream (tokens 1..59), with 2 held-out windows. */
    public static CalibrationSet calibration(long seed) {
        Random r = new Random(seed);
        int[] stream = new int[800];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = 1 + r.nextInt(59);
        }
        return CalibrationSet.fromStream(stream, "random stream", new CalibrationOptions(8, 16, seed, 2));
    }

    public static int[] ids(int n, long seed) {
        Random r = new Random(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 1 + r.nextInt(59);
        }
        return ids;
    }

    public static float[][] logits(LlamaWeights w, int[] ids) {
        try (Transformer t = new Transformer(w)) {
            return t.logits(ids);
        }
    }

    public static List<LlamaConfig> configs() {
        return List.of(config(4, false), config(2, false), config(2, true), biased());
    }
}
