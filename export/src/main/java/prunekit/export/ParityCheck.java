package prunekit.export;

import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.List;
import prunekit.core.engine.Decoder;
import prunekit.core.engine.Tolerance;
import prunekit.core.eval.Generator;

/**
 * Checks an exported model against a reference forward pass (our engine, or the plain
 * {@link prunekit.core.engine.ReferenceForward}): for each prompt, the prefill logits of every
 * position, then {@code decodeSteps} greedy decode steps with the KV cache on both sides, comparing
 * the logits of every step under one {@link Tolerance} and the argmax tokens. Both sides are
 * {@link Decoder}s fed the reference's greedy tokens.
 */
public final class ParityCheck {
    /** Decode steps after each prefill, and the tolerance. */
    public record Options(int decodeSteps, Tolerance tolerance) {
        public Options {
            if (decodeSteps < 0) {
                throw new IllegalArgumentException("decode steps must be >= 0, got " + decodeSteps);
            }
        }

        public static Options defaults() {
            return new Options(32, Tolerance.FP32);
        }
    }

    private ParityCheck() {
    }

    public static ParityReport run(Decoder.Source ref, OnnxModel onnx, List<int[]> prompts, Options options)
            throws OrtException {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("a parity check needs at least one prompt");
        }
        Comparison cmp = new Comparison(options.tolerance());
        List<int[]> refTokens = new ArrayList<>();
        List<int[]> onnxTokens = new ArrayList<>();
        String mismatch = null;
        for (int p = 0; p < prompts.size(); p++) {
            int[] prompt = prompts.get(p);
            if (prompt.length == 0) {
                throw new IllegalArgumentException("prompt " + p + " is empty");
            }
            int[] rt = new int[options.decodeSteps() + 1];
            int[] ot = new int[options.decodeSteps() + 1];
            try (Decoder seq = onnx.newSequence(1); Decoder run = ref.newDecoder()) {
                float[][] refPrefill = run.append(prompt);
                float[][] onnxPrefill = seq.append(prompt);
                cmp.include("prompt " + p + " prefill", refPrefill, onnxPrefill);
                rt[0] = Generator.argmax(refPrefill[prompt.length - 1]);
                ot[0] = Generator.argmax(onnxPrefill[prompt.length - 1]);
                for (int s = 1; s <= options.decodeSteps(); s++) {
                    int token = rt[s - 1];
                    float[] r = run.step(token);
                    float[] o = seq.step(token);
                    cmp.include("prompt " + p + " decode step " + s, new float[][] {r}, new float[][] {o});
                    rt[s] = Generator.argmax(r);
                    ot[s] = Generator.argmax(o);
                }
            }
            for (int i = 0; i < rt.length && mismatch == null; i++) {
                if (rt[i] != ot[i]) {
                    mismatch = "prompt " + p + " token " + i + ": reference " + rt[i] + ", onnx " + ot[i];
                }
            }
            refTokens.add(rt);
            onnxTokens.add(ot);
        }
        return new ParityReport(ref.name(), onnx.path().getFileName().toString(), prompts.size(),
                options.decodeSteps(), options.tolerance(), cmp.maxAbsDiff(), cmp.worst(), cmp.worstRatio(),
                cmp.worstRatioAt(), cmp.withinTolerance(), mismatch == null, mismatch, refTokens, onnxTokens);
    }
}
