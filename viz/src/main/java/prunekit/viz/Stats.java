package prunekit.viz;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Rank statistics for comparing a scorer's importance with the measured (oracle) loss increase:
 * fractional ranks with ties averaged, Pearson's r, and Spearman's ρ (Pearson's r of the ranks).
 * Plain loops, double accumulation.
 */
public final class Stats {
    private Stats() {
    }

    /**
     * 1-based ranks in ascending order; tied values all get the mean of the ranks they span,
     * e.g. {@code ranks([10, 20, 10, 30]) = [1.5, 3, 1.5, 4]}.
     */
    public static double[] ranks(double[] values) {
        for (int i = 0; i < values.length; i++) {
            Checks.finite(values[i], "value[" + i + "]");
        }
        Integer[] order = IntStream.range(0, values.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
        double[] ranks = new double[values.length];
        int start = 0;
        while (start < order.length) {
            int end = start;
            while (end + 1 < order.length && values[order[end + 1]] == values[order[start]]) {
                end++;
            }
            double meanRank = (start + end) / 2.0 + 1.0; // positions start..end hold ranks start+1..end+1
            for (int k = start; k <= end; k++) {
                ranks[order[k]] = meanRank;
            }
            start = end + 1;
        }
        return ranks;
    }

    /** Pearson's correlation; NaN when either input is constant (the correlation is undefined). */
    public static double pearson(double[] x, double[] y) {
        checkPaired(x, y);
        double meanX = mean(x);
        double meanY = mean(y);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            double dx = x[i] - meanX;
            double dy = y[i] - meanY;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) {
            return Double.NaN;
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    /** Spearman's ρ with ties averaged; NaN when either input is constant. */
    public static double spearman(double[] x, double[] y) {
        checkPaired(x, y);
        return pearson(ranks(x), ranks(y));
    }

    public static double mean(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("mean of no values");
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private static void checkPaired(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("paired samples differ in length: " + x.length + " vs " + y.length);
        }
        if (x.length < 2) {
            throw new IllegalArgumentException("a correlation needs at least 2 pairs, found " + x.length);
        }
    }
}
