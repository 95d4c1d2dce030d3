package prunekit.prune.budget;

import java.util.Arrays;
import java.util.stream.IntStream;

/** Deterministic ranking helpers: higher score first, ties broken by the lower index. */
final class Ranking {
    private Ranking() {
    }

    /** Indices of {@code scores} from most to least important. */
    static int[] order(double[] scores) {
        for (double s : scores) {
            if (Double.isNaN(s)) {
                throw new IllegalArgumentException("scores contain NaN; score again (the calibration pass may have"
                        + " diverged)");
            }
        }
        return IntStream.range(0, scores.length).boxed()
                .sorted((a, b) -> scores[a] != scores[b] ? Double.compare(scores[b], scores[a]) : Integer.compare(a, b))
                .mapToInt(Integer::intValue).toArray();
    }

    /** The {@code k} most important indices, ascending. */
    static int[] top(double[] scores, int k) {
        int[] o = Arrays.copyOf(order(scores), k);
        Arrays.sort(o);
        return o;
    }

    /** (s − mean) / std over {@code s}; zeros when the row is constant. */
    static double[] standardize(double[] s) {
        double mean = Arrays.stream(s).average().orElse(0);
        double var = Arrays.stream(s).map(v -> (v - mean) * (v - mean)).average().orElse(0);
        double std = Math.sqrt(var);
        return Arrays.stream(s).map(v -> std > 0 ? (v - mean) / std : 0).toArray();
    }
}
