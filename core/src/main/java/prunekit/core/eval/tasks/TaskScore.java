package prunekit.core.eval.tasks;

/**
 * A task's accuracies as lm-eval-harness reports them: {@code acc} (argmax of the choices'
 * log-likelihoods), {@code accNorm} (argmax of log-likelihood per UTF-8 byte of the choice), each
 * with the standard error of the mean (sample standard deviation / sqrt(n)), and {@code chance}
 * (the mean of 1 / number of choices).
 */
public record TaskScore(String task, int n, double acc, double accStderr, double accNorm, double accNormStderr,
                        double chance) {
    public TaskScore {
        if (n < 1) {
            throw new IllegalArgumentException("a task score needs at least one item");
        }
    }

    /** Mean and standard error of 0/1 outcomes: sqrt(Σ(x - mean)² / (n - 1)) / sqrt(n); NaN for n = 1. */
    static double[] meanStderr(boolean[] hits) {
        int n = hits.length;
        double mean = 0;
        for (boolean h : hits) {
            mean += h ? 1 : 0;
        }
        mean /= n;
        double ss = 0;
        for (boolean h : hits) {
            double d = (h ? 1 : 0) - mean;
            ss += d * d;
        }
        return new double[] {mean, n > 1 ? Math.sqrt(ss / (n - 1)) / Math.sqrt(n) : Double.NaN};
    }
}
