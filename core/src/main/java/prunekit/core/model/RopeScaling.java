package prunekit.core.model;

/**
 * RoPE frequency scaling. {@code NONE} is plain RoPE; {@code LLAMA3} is the LLaMA-3.1 scheme
 * (low frequencies divided by {@code factor}, a smooth ramp between the two wavelength bounds).
 */
public record RopeScaling(Type type, double factor, double lowFreqFactor, double highFreqFactor,
                          int originalMaxPositions) {
    public enum Type { NONE, LLAMA3 }

    public static final RopeScaling NONE = new RopeScaling(Type.NONE, 1, 1, 1, 0);

    public RopeScaling {
        if (type == Type.LLAMA3 && (factor <= 0 || lowFreqFactor <= 0 || highFreqFactor <= lowFreqFactor
                || originalMaxPositions <= 0)) {
            throw new IllegalArgumentException("invalid llama3 rope_scaling: " + factor + ", " + lowFreqFactor
                    + ", " + highFreqFactor + ", " + originalMaxPositions);
        }
    }

    /** Inverse frequencies for a head of size {@code headDim}: one per rotated pair. */
    public double[] inverseFrequencies(int headDim, double theta) {
        int half = headDim / 2;
        double[] inv = new double[half];
        for (int i = 0; i < half; i++) {
            inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
        }
        if (type == Type.LLAMA3) {
            double lowWavelen = originalMaxPositions / lowFreqFactor;
            double highWavelen = originalMaxPositions / highFreqFactor;
            for (int i = 0; i < half; i++) {
                double wavelen = 2 * Math.PI / inv[i];
                if (wavelen > lowWavelen) {
                    inv[i] = inv[i] / factor;
                } else if (wavelen >= highWavelen) {
                    double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                    inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
                }
            }
        }
        return inv;
    }
}
