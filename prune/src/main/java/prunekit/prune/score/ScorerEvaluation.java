package prunekit.prune.score;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import prunekit.prune.group.GroupKind;

/**
 * How well each scorer ranks groups like the oracle does: per group kind, the Spearman rank
 * correlation of the scorer's scores with the oracle's over all groups of that kind (pooled over
 * layers), and the mean of the correlations within each layer (what a per-layer allocation uses).
 */
public final class ScorerEvaluation {
    private ScorerEvaluation() {
    }

    /** One scorer against the oracle on one kind; NaN where undefined (fewer than 2 groups, constant scores). */
    public record Correlation(GroupKind kind, ScorerName scorer, int groups, double spearman, double withinLayer) {
    }

    public static List<Correlation> evaluate(ImportanceScores s) {
        List<Correlation> out = new ArrayList<>();
        if (!s.scorers().contains(ScorerName.ORACLE)) {
            throw new IllegalArgumentException("evaluation needs oracle scores; score with --evaluate or --scorer oracle");
        }
        for (GroupKind k : GroupKind.values()) {
            if (!s.has(ScorerName.ORACLE, k)) {
                continue;
            }
            double[][] oracle = s.get(ScorerName.ORACLE, k);
            for (ScorerName n : s.scorers()) {
                if (n == ScorerName.ORACLE || !s.has(n, k)) {
                    continue;
                }
                double[][] sc = s.get(n, k);
                double sum = 0;
                int layers = 0;
                for (int r = 0; r < sc.length; r++) {
                    double rho = spearman(sc[r], oracle[r]);
                    if (!Double.isNaN(rho)) {
                        sum += rho;
                        layers++;
                    }
                }
                out.add(new Correlation(k, n, flat(sc).length, spearman(flat(sc), flat(oracle)),
                        layers == 0 ? Double.NaN : sum / layers));
            }
        }
        return out;
    }

    static double[] flat(double[][] rows) {
        return Arrays.stream(rows).flatMapToDouble(Arrays::stream).toArray();
    }

    /** Spearman's ρ: Pearson correlation of the ranks (ties get their mean rank). */
    public static double spearman(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("spearman of " + a.length + " and " + b.length + " values");
        }
        if (a.length < 2) {
            return Double.NaN;
        }
        return pearson(ranks(a), ranks(b));
    }

    static double[] ranks(double[] v) {
        Integer[] idx = IntStream.range(0, v.length).boxed().sorted((x, y) -> Double.compare(v[x], v[y]))
                .toArray(Integer[]::new);
        double[] r = new double[v.length];
        for (int i = 0; i < idx.length; ) {
            int j = i;
            while (j + 1 < idx.length && v[idx[j + 1]] == v[idx[i]]) {
                j++;
            }
            double mean = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[idx[k]] = mean;
            }
            i = j + 1;
        }
        return r;
    }

    static double pearson(double[] x, double[] y) {
        double mx = Arrays.stream(x).average().orElse(0);
        double my = Arrays.stream(y).average().orElse(0);
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }
}
