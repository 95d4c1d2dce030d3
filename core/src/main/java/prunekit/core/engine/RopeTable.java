package prunekit.core.engine;

import prunekit.core.model.LlamaConfig;

/**
 * The one RoPE table of prunekit: cos and sin of every (position, rotated pair), (maxPositions,
 * headDim/2), rounded as HF's {@code LlamaRotaryEmbedding} rounds them. The inverse frequencies
 * (llama3 scaling folded in) are rounded to fp32, the angle is formed in fp32 as HF's
 * {@code (inv_freq[None, :] * position[:, None]).float()} does, and cos/sin of that fp32 angle are
 * rounded to fp32. Our engine (fp32 and fp64 alike: HF casts the fp32 table to the model's dtype),
 * the plain reference and the ONNX exporter's baked tables all read this table, so they agree on
 * the rotation at every position; forming the angle in double instead drifts by about p·2⁻²⁴ rad
 * at position p. Pair j rotates dimensions j and j + headDim/2 (HF's rotate-half layout).
 */
public final class RopeTable {
    private final int positions;
    private final int half;
    private final float[] cos; // (positions, half)
    private final float[] sin; // (positions, half)

    private RopeTable(int positions, int half, float[] cos, float[] sin) {
        this.positions = positions;
        this.half = half;
        this.cos = cos;
        this.sin = sin;
    }

    /** The table of {@code c}: max_position_embeddings rows of headDim/2 pairs. */
    public static RopeTable of(LlamaConfig c) {
        double[] inv = c.ropeScaling().inverseFrequencies(c.headDim(), c.ropeTheta());
        int half = inv.length;
        int positions = c.maxPositions();
        float[] cos = new float[positions * half];
        float[] sin = new float[positions * half];
        for (int p = 0; p < positions; p++) {
            for (int j = 0; j < half; j++) {
                float angle = (float) p * (float) inv[j]; // fp32 product, as HF
                cos[p * half + j] = (float) Math.cos(angle);
                sin[p * half + j] = (float) Math.sin(angle);
            }
        }
        return new RopeTable(positions, half, cos, sin);
    }

    /** Positions the table covers (max_position_embeddings). */
    public int positions() {
        return positions;
    }

    /** Rotated pairs per head: headDim / 2. */
    public int pairs() {
        return half;
    }

    public float cos(int position, int pair) {
        return cos[index(position, pair)];
    }

    public float sin(int position, int pair) {
        return sin[index(position, pair)];
    }

    /**
     * The cos table as a new row-major array: (positions, headDim/2) when {@code full} is false (what
     * ONNX Runtime's RotaryEmbedding takes), else (positions, headDim) with each half-row repeated,
     * HF's {@code emb = cat(freqs, freqs)}.
     */
    public float[] cosRows(boolean full) {
        return rows(cos, full);
    }

    /** The sin table, laid out as {@link #cosRows}. */
    public float[] sinRows(boolean full) {
        return rows(sin, full);
    }

    private float[] rows(float[] t, boolean full) {
        if (!full) {
            return t.clone();
        }
        float[] out = new float[positions * 2 * half];
        for (int p = 0; p < positions; p++) {
            System.arraycopy(t, p * half, out, 2 * p * half, half);
            System.arraycopy(t, p * half, out, 2 * p * half + half, half);
        }
        return out;
    }

    private int index(int position, int pair) {
        if (position < 0 || position >= positions) {
            throw new IllegalArgumentException("position " + position + " is past the model's context of "
                    + positions + " positions; use a shorter input or --ctx");
        }
        return position * half + pair;
    }
}
