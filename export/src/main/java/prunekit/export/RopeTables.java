package prunekit.export;

import prunekit.core.model.LlamaConfig;

/**
 * Cos/sin tables of HF's rotate-half RoPE, one row per position up to max_position_embeddings,
 * computed in double from {@link prunekit.core.model.RopeScaling#inverseFrequencies} (so LLaMA-3
 * scaling is folded in) and rounded to fp32. The full form repeats each half-row
 * ({@code emb = cat(freqs, freqs)}) as HF does; the half form is what ONNX Runtime's
 * RotaryEmbedding takes.
 */
final class RopeTables {
    private RopeTables() {
    }

    /** (maxPositions, headDim) when {@code full}, else (maxPositions, headDim / 2). */
    static float[] table(LlamaConfig c, boolean cos, boolean full) {
        double[] inv = c.ropeScaling().inverseFrequencies(c.headDim(), c.ropeTheta());
        int half = inv.length;
        int width = full ? 2 * half : half;
        float[] t = new float[c.maxPositions() * width];
        for (int p = 0; p < c.maxPositions(); p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * inv[i];
                float v = (float) (cos ? Math.cos(angle) : Math.sin(angle));
                t[p * width + i] = v;
                if (full) {
                    t[p * width + half + i] = v;
                }
            }
        }
        return t;
    }
}
