package prunekit.calibrate;

/**
 * Per-channel moments of one linear layer's input over every calibration token, accumulated in
 * double: Σx, Σx², Σ|x| and the token count. Channel j of a (B, T, C) input is x[..., j].
 */
public final class ChannelStats {
    private final double[] sum;
    private final double[] sumSq;
    private final double[] sumAbs;
    private long count;

    public ChannelStats(int channels) {
        sum = new double[channels];
        sumSq = new double[channels];
        sumAbs = new double[channels];
    }

    /** Adds the per-channel sums of {@code tokens} more tokens. */
    void add(double[] s, double[] sq, double[] abs, long tokens) {
        if (s.length != sum.length || sq.length != sum.length || abs.length != sum.length) {
            throw new IllegalArgumentException("expected " + sum.length + " channels, got " + s.length);
        }
        for (int j = 0; j < sum.length; j++) {
            sum[j] += s[j];
            sumSq[j] += sq[j];
            sumAbs[j] += abs[j];
        }
        count += tokens;
    }

    public int channels() {
        return sum.length;
    }

    public long count() {
        return count;
    }

    public double mean(int j) {
        return sum[j] / count;
    }

    /** Population variance E[x²] − E[x]², clamped at 0 against rounding. */
    public double variance(int j) {
        double m = mean(j);
        return Math.max(0, sumSq[j] / count - m * m);
    }

    /** ‖x_j‖₂ over every token (Wanda's input norm). */
    public double l2Norm(int j) {
        return Math.sqrt(sumSq[j]);
    }

    public double meanAbs(int j) {
        return sumAbs[j] / count;
    }

    public double sumSq(int j) {
        return sumSq[j];
    }
}
