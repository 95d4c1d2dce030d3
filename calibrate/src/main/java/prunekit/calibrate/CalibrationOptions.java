package prunekit.calibrate;

/**
 * How calibration windows are drawn: {@code samples} windows of {@code seqLen} input tokens (plus
 * one target) at offsets drawn from {@code seed}, and up to {@code heldOutWindows} back-to-back
 * windows for evaluation taken from the end of the stream, a region the calibration windows never touch.
 */
public record CalibrationOptions(int samples, int seqLen, long seed, int heldOutWindows) {
    public static final int DEFAULT_SAMPLES = 64;
    public static final int DEFAULT_SEQ_LEN = 128;
    public static final int DEFAULT_HELD_OUT = 16;

    public CalibrationOptions {
        if (samples <= 0) {
            throw new IllegalArgumentException("--samples must be positive, got " + samples);
        }
        if (seqLen <= 0) {
            throw new IllegalArgumentException("--seq-len must be positive, got " + seqLen);
        }
        if (heldOutWindows <= 0) {
            throw new IllegalArgumentException("held-out windows must be positive, got " + heldOutWindows);
        }
    }

    public static CalibrationOptions of(int samples, int seqLen, long seed) {
        return new CalibrationOptions(samples, seqLen, seed, DEFAULT_HELD_OUT);
    }

    /** Tokens in one window: the inputs and the last target. */
    public int windowTokens() {
        return seqLen + 1;
    }
}
