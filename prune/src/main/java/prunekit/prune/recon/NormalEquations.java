package prunekit.prune.recon;

import java.util.List;

/**
 * The least-squares problem of one output-side matrix (o_proj or down_proj): find W (out, n)
 * minimising ‖X Wᵀ − Y‖² + λ‖W‖², with X the matrix's inputs on the calibration tokens (plus a
 * ones column last when {@code intercept}: its weights are the bias) and Y the target outputs.
 * Only H = XᵀX + λI (n, n) and C = YᵀX (out, n) are kept, accumulated in fp64;
 * λ = damping · mean(diag XᵀX).
 */
record NormalEquations(double[] h, double[] c, int n, int out) {
    NormalEquations {
        if (h.length != n * n || c.length != out * n) {
            throw new IllegalArgumentException("H must be " + n + "x" + n + " and C " + out + "x" + n);
        }
    }

    /** From the raw Gram XᵀX and cross products YᵀX, adding the ridge. */
    static NormalEquations of(double[] gram, double[] cross, int n, int out, boolean intercept, double damping) {
        double[] h = gram.clone();
        int features = intercept ? n - 1 : n;
        double mean = 0;
        for (int i = 0; i < features; i++) {
            mean += h[i * n + i];
        }
        mean /= Math.max(1, features);
        double lambda = damping * mean;
        if (!(lambda > 0) && damping > 0) {
            lambda = damping; // all-zero inputs: keep the system solvable
        }
        for (int i = 0; i < n; i++) {
            h[i * n + i] += lambda;
        }
        return new NormalEquations(h, cross.clone(), n, out);
    }

    /** The exact ridge refit of the columns {@code kept} (ascending): W_K = C_K H_KK⁻¹, (out, |K|). */
    double[] solve(int[] kept) {
        double[] w = GroupObs.columns(c, out, n, kept);
        Cholesky.of(GroupObs.sub(h, n, kept), kept.length).solveRows(w, out);
        return w;
    }

    /**
     * Removes {@code count} of {@code groups} by progressive group OBS, starting from the full refit, keeping the
     * refit weights after each of {@code snapshotAt} removals.
     */
    GroupObs.Removal select(List<int[]> groups, int[] family, int count, int[] snapshotAt) {
        double[] w = c.clone();
        double[] hinv = fullFitAndInverse(w);
        return GroupObs.removeInPlace(hinv, w, out, n, groups, family, count, snapshotAt);
    }

    /**
     * Turns {@code w} (a copy of C) into the full refit C H⁻¹ (what solving over every column gives) and
     * returns H⁻¹, from one factorization, which is garbage once this returns (n² doubles fewer held).
     */
    private double[] fullFitAndInverse(double[] w) {
        Cholesky f = Cholesky.of(h, n);
        f.solveRows(w, out);
        return f.inverse();
    }

}
