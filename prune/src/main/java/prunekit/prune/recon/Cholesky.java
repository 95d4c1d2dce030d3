package prunekit.prune.recon;

/**
 * A = L·Lᵀ of a symmetric positive-definite n×n matrix in double, plain loops: the exact path, for
 * widths below {@link BlockObs#MIN_WIDTH} (wider matrices go through {@link SpdInverse} there). Row-major throughout.
 */
final class Cholesky {
    private final int n;
    private final double[] l; // (n, n) row-major: L in the lower triangle, Lᵀ mirrored into the upper one

    private Cholesky(int n, double[] l) {
        this.n = n;
        this.l = l;
    }

    /** Factorizes {@code a} (n×n, only the lower triangle is read); fails when a is not positive definite. */
    static Cholesky of(double[] a, int n) {
        if (a.length != n * n) {
            throw new IllegalArgumentException("expected an " + n + "x" + n + " matrix, got " + a.length + " values");
        }
        double[] l = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) {
                    s -= l[i * n + k] * l[j * n + k];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        throw new IllegalArgumentException("matrix is not positive definite at pivot " + i + " (" + s
                                + "): the calibration inputs are rank-deficient; raise the damping (ReconOptions.damping)"
                                + " or give more calibration tokens");
                    }
                    l[i * n + i] = Math.sqrt(s);
                } else {
                    l[i * n + j] = s / l[j * n + j];
                }
            }
        }
        for (int i = 0; i < n; i++) { // Lᵀ row by row, so the backward solves read contiguous memory
            for (int k = i + 1; k < n; k++) {
                l[i * n + k] = l[k * n + i];
            }
        }
        return new Cholesky(n, l);
    }

    int size() {
        return n;
    }

    /** Solves A·x = b in place for every row b of {@code rows} (m, n), i.e. rows ← rows·A⁻¹ (A symmetric). */
    void solveRows(double[] rows, int m) {
        for (int r = 0; r < m; r++) {
            solve(rows, r * n, 0);
        }
    }

    /**
     * A⁻¹ (n, n): {@link #solveRows} of the identity, skipping the leading zeros of each row in the
     * forward solve (row r of L⁻¹ is zero before r), which gives the same bits with a third fewer operations.
     */
    double[] inverse() {
        double[] inv = new double[n * n];
        for (int r = 0; r < n; r++) {
            inv[r * n + r] = 1;
            solve(inv, r * n, r);
        }
        return inv;
    }

    /** A·x = b in place for the row b = v[o, o + n) whose entries before {@code first} are zero. */
    private void solve(double[] v, int o, int first) {
        for (int i = first; i < n; i++) { // L y = b
            double s = v[o + i];
            for (int k = first; k < i; k++) {
                s -= l[i * n + k] * v[o + k];
            }
            v[o + i] = s / l[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--) { // Lᵀ x = y
            double s = v[o + i];
            for (int k = i + 1; k < n; k++) {
                s -= l[i * n + k] * v[o + k];
            }
            v[o + i] = s / l[i * n + i];
        }
    }
}
