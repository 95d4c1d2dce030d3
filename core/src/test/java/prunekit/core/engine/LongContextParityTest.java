package prunekit.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import prunekit.core.TestModels;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;

/**
 * Our engine against the plain reference over the whole context of a small model with 4096
 * positions: a chunked prefill (odd chunk sizes) up to the last positions, then cached one-token
 * decode to the end. Parity tests that stop after a few dozen positions cannot see RoPE drift;
 * the weights (std 0.35) make attention sharp enough that a drift of p·2⁻²⁴ rad would show.
 */
class LongContextParityTest {
    @Test
    void engineMatchesReferenceAtEveryPosition() {
        LlamaConfig config = TestModels.LONG_CONTEXT;
        LlamaWeights w = TestModels.random(config, 17, 0.35);
        int n = config.maxPositions();
        int[] ids = TestModels.randomIds(n, config.vocabSize(), 4);
        double[][] ref = new ReferenceForward(w).logits(ids);
        int decoded = 64;
        int[] chunks = {1, 777, 1024, 1500, n - decoded - 1 - 777 - 1024 - 1500};
        try (Transformer t = new Transformer(w); Decoder d = t.newDecoder()) {
            int at = 0;
            for (int c : chunks) {
                float[][] got = d.append(Arrays.copyOfRange(ids, at, at + c));
                Tolerance.FP32.check("chunk at " + at, Arrays.copyOfRange(ref, at, at + c), got);
                at += c;
            }
            for (; at < n; at++) {
                Tolerance.FP32.check("decode position " + at, ref[at], d.step(ids[at]));
            }
            assertEquals(n, d.length());
        }
    }
}
