package prunekit.prune.recon;

import java.util.Arrays;
import java.util.List;

/**
 * Prunes the input side of one output-side matrix W (out, cols) — o_proj over head columns, or
 * down_proj over MLP channels — from its inputs X (rows, cols) and target outputs Y (rows, out):
 * group OBS chooses which groups of columns go, then the survivors (and, with an intercept, a
 * bias) are refit exactly by ridge least squares. Select-only keeps the survivors' weights as they were.
 */
final class SubBlockFit {
    private SubBlockFit() {
    }

    /**
     * The outcome: groups kept (ascending), the new weights over all columns (out, cols; zero where
     * removed) and the bias (out), or null without an intercept.
     */
    record Fit(int[] keptGroups, double[] weight, double[] bias) {
    }

    static Fit fit(float[] x, int rows, int cols, float[] y, double[] w, double[] b, int out, List<int[]> groups,
                   int[] family, int remove, ReconOptions o, boolean intercept) {
        int n = intercept ? cols + 1 : cols;
        double[] gram = Gemm.gram(x, rows, cols, intercept);
        double[] cross = Gemm.cross(y, out, x, cols, rows, false, intercept);
        NormalEquations ne = NormalEquations.of(gram, cross, n, out, intercept, o.damping());
        boolean[] gone = new boolean[groups.size()];
        for (int g : ne.select(groups, family, remove).order()) {
            gone[g] = true;
        }
        int[] kept = java.util.stream.IntStream.range(0, groups.size()).filter(g -> !gone[g]).toArray();
        boolean[] keepCol = new boolean[n];
        for (int g : kept) {
            for (int col : groups.get(g)) {
                keepCol[col] = true;
            }
        }
        if (intercept) {
            keepCol[cols] = true;
        }
        int[] cs = java.util.stream.IntStream.range(0, n).filter(i -> keepCol[i]).toArray();
        double[] full = new double[out * cols];
        double[] bias = intercept ? new double[out] : null;
        if (!o.refit()) {
            for (int r = 0; r < out; r++) {
                for (int col : cs) {
                    full[r * cols + col] = w[r * cols + col];
                }
            }
            return new Fit(kept, full, b == null ? null : b.clone());
        }
        double[] wk = ne.solve(cs); // (out, |cs|)
        for (int r = 0; r < out; r++) {
            for (int a = 0; a < cs.length; a++) {
                if (cs[a] < cols) {
                    full[r * cols + cs[a]] = wk[r * cs.length + a];
                } else {
                    bias[r] = wk[r * cs.length + a];
                }
            }
        }
        return new Fit(kept, full, bias);
    }

    /** Columns of W (out, cols) listed in {@code keep} (ascending): (out, |keep|) as floats. */
    static float[] columns(double[] w, int out, int cols, int[] keep) {
        float[] f = new float[out * keep.length];
        for (int r = 0; r < out; r++) {
            for (int a = 0; a < keep.length; a++) {
                f[r * keep.length + a] = (float) w[r * cols + keep[a]];
            }
        }
        return f;
    }

    static int[] flatten(List<int[]> groups, int[] keptGroups) {
        return Arrays.stream(keptGroups).flatMap(g -> Arrays.stream(groups.get(g))).sorted().toArray();
    }
}
