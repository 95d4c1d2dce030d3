package prunekit.prune.recon;

import java.util.Arrays;
import java.util.List;

/**
 * Progressive group Optimal Brain Surgeon on one output-side matrix W (out, n) whose inputs have
 * Gram matrix H (n, n): removing the columns S of a group costs tr(W_S (H⁻¹_SS)⁻¹ W_Sᵀ), the exact
 * increase of ‖X Wᵀ − Y‖² when the other columns are refit by least squares. Each step removes
 * the cheapest eligible group, moves W to the optimal refit of the survivors
 * (W ← W − W_S (H⁻¹_SS)⁻¹ H⁻¹_S,:) and downdates H⁻¹ to the survivors' inverse
 * (H⁻¹ ← H⁻¹ − H⁻¹_:,S (H⁻¹_SS)⁻¹ H⁻¹_S,:). Columns in no group (an intercept) are never removed.
 *
 * <p>With {@code family} (a family id per group), removal goes in rounds: every family loses one
 * group per round, so families stay the same size (query heads of GQA KV groups). Ties go to the
 * lower group index: the same inputs give the same order.
 */
final class GroupObs {
    private GroupObs() {
    }

    /**
     * The groups in the order they were removed, the cost each had when it was removed, and the
     * weights (out, n) after {@code snapshotAt[k]} removals (the survivors' refit at that size).
     */
    record Removal(int[] order, double[] costs, List<double[]> snapshots) {
    }

    /**
     * Removes {@code count} groups. {@code hi} (n, n) is H⁻¹ of the damped Gram matrix and {@code wt}
     * (out, n) the starting weights (the full least-squares fit); both are downdated in place (no
     * copies of n² doubles).
     */
    static Removal removeInPlace(double[] hi, double[] wt, int out, int n, List<int[]> groups, int[] family, int count,
                                 int[] snapshotAt) {
        if (count < 0 || count > groups.size()) {
            throw new IllegalArgumentException("cannot remove " + count + " of " + groups.size() + " groups");
        }
        boolean[] removed = new boolean[groups.size()];
        boolean[] alive = new boolean[n];
        Arrays.fill(alive, true);
        int families = family == null ? 0 : Arrays.stream(family).max().orElse(-1) + 1;
        boolean[] hit = new boolean[Math.max(families, 1)];
        int[] order = new int[count];
        double[] costs = new double[count];
        double[][] snaps = new double[snapshotAt.length][];
        boolean singletons = groups.stream().allMatch(g -> g.length == 1);
        snapshot(snaps, snapshotAt, 0, wt);
        for (int step = 0; step < count; step++) {
            if (family != null && allHit(hit, removed, family)) {
                Arrays.fill(hit, false);
            }
            int best = -1;
            double bestCost = Double.POSITIVE_INFINITY;
            double[] sq = singletons ? columnSquares(wt, out, n) : null;
            for (int g = 0; g < groups.size(); g++) {
                if (removed[g] || (family != null && hit[family[g]])) {
                    continue;
                }
                int[] grp = groups.get(g);
                double c = singletons ? sq[grp[0]] / hi[grp[0] * n + grp[0]] : cost(hi, wt, out, n, grp);
                if (c < bestCost) {
                    bestCost = c;
                    best = g;
                }
            }
            if (best < 0) {
                throw new IllegalStateException("no group left to remove at step " + step);
            }
            int[] s = groups.get(best);
            update(hi, wt, out, n, s, alive);
            removed[best] = true;
            if (family != null) {
                hit[family[best]] = true;
            }
            order[step] = best;
            costs[step] = bestCost;
            snapshot(snaps, snapshotAt, step + 1, wt);
        }
        return new Removal(order, costs, Arrays.asList(snaps));
    }

    private static void snapshot(double[][] snaps, int[] at, int removed, double[] w) {
        for (int k = 0; k < at.length; k++) {
            if (at[k] == removed) {
                snaps[k] = w.clone();
            }
        }
    }

    /** Whether every family with a group left has lost one this round ({@link BlockObs} goes in the same rounds). */
    static boolean allHit(boolean[] hit, boolean[] removed, int[] family) {
        for (int g = 0; g < removed.length; g++) {
            if (!removed[g] && !hit[family[g]]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Σ_r W[r, j]² of every column j (0 for removed ones), row by row (contiguous reads; each sum in the order
     * {@link #cost} adds it, so a singleton's cost is the same bits): the numerators of the costs.
     */
    private static double[] columnSquares(double[] w, int out, int n) {
        double[] sq = new double[n];
        for (int r = 0; r < out; r++) {
            int o = r * n;
            for (int j = 0; j < n; j++) {
                double v = w[o + j];
                sq[j] += v * v;
            }
        }
        return sq;
    }

    /** tr(W_S (H⁻¹_SS)⁻¹ W_Sᵀ). */
    static double cost(double[] hi, double[] w, int out, int n, int[] s) {
        int k = s.length;
        if (k == 1) {
            int j = s[0];
            double sum = 0;
            for (int r = 0; r < out; r++) {
                double v = w[r * n + j];
                sum += v * v;
            }
            return sum / hi[j * n + j];
        }
        double[] ws = columns(w, out, n, s); // (out, k)
        double[] x = ws.clone();
        Cholesky.of(sub(hi, n, s), k).solveRows(x, out); // W_S (H⁻¹_SS)⁻¹
        double sum = 0;
        for (int i = 0; i < ws.length; i++) {
            sum += ws[i] * x[i];
        }
        return sum;
    }

    private static void update(double[] hi, double[] w, int out, int n, int[] s, boolean[] alive) {
        int k = s.length;
        Cholesky hss = Cholesky.of(sub(hi, n, s), k);
        double[] x = columns(w, out, n, s); // (out, k) → W_S (H⁻¹_SS)⁻¹
        hss.solveRows(x, out);
        double[] t = columns(hi, n, n, s); // (n, k) → H⁻¹_:,S (H⁻¹_SS)⁻¹
        hss.solveRows(t, n);
        double[] rowsS = new double[k * n]; // H⁻¹_S,: (k, n), taken before the downdate
        for (int a = 0; a < k; a++) {
            System.arraycopy(hi, s[a] * n, rowsS, a * n, n);
        }
        for (int r = 0; r < out; r++) {
            for (int a = 0; a < k; a++) {
                double f = x[r * k + a];
                int o = a * n;
                for (int j = 0; j < n; j++) {
                    if (alive[j]) {
                        w[r * n + j] -= f * rowsS[o + j];
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (!alive[i]) {
                continue;
            }
            for (int a = 0; a < k; a++) {
                double f = t[i * k + a];
                int o = a * n;
                for (int j = 0; j < n; j++) {
                    if (alive[j]) {
                        hi[i * n + j] -= f * rowsS[o + j];
                    }
                }
            }
        }
        for (int j : s) {
            alive[j] = false;
            for (int r = 0; r < out; r++) {
                w[r * n + j] = 0;
            }
            for (int i = 0; i < n; i++) {
                hi[i * n + j] = 0;
                hi[j * n + i] = 0;
            }
            hi[j * n + j] = 1; // keeps the removed block invertible; never read again
        }
    }

    /** Columns {@code s} of the row-major (rows, n) matrix m: (rows, |s|). */
    static double[] columns(double[] m, int rows, int n, int[] s) {
        double[] c = new double[rows * s.length];
        for (int r = 0; r < rows; r++) {
            for (int a = 0; a < s.length; a++) {
                c[r * s.length + a] = m[r * n + s[a]];
            }
        }
        return c;
    }

    /** The principal submatrix m[s, s] of an (n, n) matrix. */
    static double[] sub(double[] m, int n, int[] s) {
        double[] c = new double[s.length * s.length];
        for (int a = 0; a < s.length; a++) {
            for (int b = 0; b < s.length; b++) {
                c[a * s.length + b] = m[s[a] * n + s[b]];
            }
        }
        return c;
    }
}
