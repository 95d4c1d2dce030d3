package prunekit.export;

import java.util.List;
import prunekit.core.engine.Tolerance;

/**
 * The outcome of a {@link ParityCheck}: the largest logit difference between the reference and
 * ONNX Runtime over every prefill and decode step, where it is, the worst difference relative to
 * the tolerance, and whether greedy decoding picked the same tokens. {@code referenceTokens} and
 * {@code onnxTokens} hold, per prompt, the argmax after the prefill and after each decode step
 * (ONNX Runtime is fed the reference's tokens, so a late near-tie does not hide later differences).
 */
public record ParityReport(String reference, String model, int prompts, int decodeSteps, Tolerance tolerance,
                           double maxAbsDiff, Comparison.Where worst, double worstRatio,
                           Comparison.Where worstRatioAt, boolean withinTolerance, boolean tokensIdentical,
                           String firstTokenMismatch, List<int[]> referenceTokens, List<int[]> onnxTokens) {
    public ParityReport {
        referenceTokens = List.copyOf(referenceTokens);
        onnxTokens = List.copyOf(onnxTokens);
    }

    /** Logits within tolerance everywhere and the same greedy tokens. */
    public boolean passed() {
        return withinTolerance && tokensIdentical;
    }

    /** One line for logs and assertion messages. */
    public String summary() {
        return String.format(java.util.Locale.ROOT, "%s vs %s: %d prompts, %d decode steps: max |diff| %.3g at %s;"
                + " worst diff/allowed %.3g (atol %.1g, rtol %.1g)%s%s", model, reference, prompts, decodeSteps,
                maxAbsDiff, worst, worstRatio, tolerance.atol(), tolerance.rtol(),
                tokensIdentical ? "; greedy tokens identical" : "; TOKENS DIFFER: " + firstTokenMismatch,
                withinTolerance ? "" : "; OUT OF TOLERANCE at " + worstRatioAt);
    }
}
