package prunekit.recover;

/**
 * Linear warmup then cosine decay to a floor. Step numbers are 1-based (the n-th update):
 * <pre>
 *   lr(n) = peak · n / warmup                                        for n ≤ warmup
 *   lr(n) = min + (peak − min) · ½ · (1 + cos(π · (n − warmup) / (total − warmup)))   for warmup < n ≤ total
 *   lr(n) = min                                                      for n > total
 * </pre>
 * so step {@code warmup} runs at the peak and step {@code total} at the minimum.
 */
public record LrSchedule(double peak, double min, int warmup, int total) {
    public LrSchedule {
        if (!(peak > 0) || !(min >= 0) || min > peak) {
            throw new IllegalArgumentException("learning rates must satisfy 0 <= min (" + min + ") <= peak (" + peak
                    + "), peak > 0");
        }
        if (warmup < 0 || total < 1 || warmup > total) {
            throw new IllegalArgumentException("warmup steps (" + warmup + ") must be in 0.." + "total steps (" + total
                    + "), total >= 1");
        }
    }

    /** The learning rate of step {@code n} (1-based). */
    public double lr(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("steps are numbered from 1, got " + n);
        }
        if (n <= warmup) {
            return peak * n / warmup;
        }
        if (n >= total) {
            return min;
        }
        double ratio = (double) (n - warmup) / (total - warmup);
        return min + (peak - min) * 0.5 * (1 + Math.cos(Math.PI * ratio));
    }
}
