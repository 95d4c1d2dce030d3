package prunekit.export;

import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.List;

/** One-sequence runs of an exported model for the tests: prefill logits and greedy continuations. */
final class OnnxRuns {
    private OnnxRuns() {
    }

    /** Logits (T, vocab) of {@code ids} processed from position 0 (batch 1). */
    static float[][] prefillLogits(OnnxModel m, int[] ids) throws OrtException {
        try (OrtSequence s = m.newSequence(1)) {
            return s.append(new int[][] {ids}).sequence(0);
        }
    }

    /** Greedy continuation of {@code prompt}: {@code steps} new tokens (argmax each time), with the cache. */
    static int[] greedy(OnnxModel m, int[] prompt, int steps) throws OrtException {
        List<Integer> out = new ArrayList<>();
        try (OrtSequence s = m.newSequence(1)) {
            Logits l = s.append(new int[][] {prompt});
            int next = l.argmax(0, prompt.length - 1);
            for (int i = 0; i < steps; i++) {
                out.add(next);
                if (i + 1 < steps) {
                    next = s.append(new int[][] {{next}}).argmax(0, 0);
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
