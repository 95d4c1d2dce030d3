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
     * The outcome: groups kept (ascending), the input columns they own ({@code columns}, ascending, the intercept
     * not among them), the new weights of those columns ({@code kept}: (out, |columns|), fp32 as stored) and the
     * bias (out), or null without an intercept. Only the kept columns are held: at 7B a full-width down_proj
     * is 180 MB, mostly zeros.
     */
    record Fit(int[] keptGroups, int[] columns, float[] kept, int out, int cols, double[] bias) {
        /** The weights over all {@code cols} columns, (out, cols), zero where removed. */
        float[] weight() {
            float[] full = new float[out * cols];
            for (int r = 0; r < out; r++) {
                for (int a = 0; a < columns.length; a++) {
                    full[r * cols + columns[a]] = kept[r * columns.length + a];
                }
            }
            return full;
        }

        /** The weights of columns {@code keep} (ascending, all kept), (out, |keep|): the kept weights themselves when they are all. */
        float[] select(int[] keep) {
            if (Arrays.equals(keep, columns)) {
                return kept;
            }
            float[] f = new float[out * keep.length];
            for (int a = 0; a < keep.length; a++) {
                int j = Arrays.binarySearch(columns, keep[a]);
                if (j < 0) {
                    throw new IllegalArgumentException("column " + keep[a] + " was removed");
                }
                for (int r = 0; r < out; r++) {
                    f[r * keep.length + a] = kept[r * columns.length + j];
                }
            }
            return f;
        }
    }

    /**
     * One fit per entry of {@code removes} (groups to remove), from one progressive OBS run: the
     * removal order of a smaller count is a prefix of a larger one's, so the kept sets are nested.
     * The first entry is refit by an exact solve; the others take the OBS weights at that point of
     * the removal (the same ridge solution, up to rounding), which costs nothing more. Matrices of
     * {@link BlockObs#MIN_WIDTH} columns or more are ordered by {@link BlockObs} (fp32) and every entry is
     * refit exactly in fp64 by {@link NativeNormalEquations#solve}.
     */
    static List<Fit> fitLevels(float[] x, int rows, int cols, float[] y, float[] w, double[] b, int out,
                               List<int[]> groups, int[] family, int[] removes, ReconOptions o, boolean intercept) {
        return fitLevels(x, rows, cols, y, w, b, out, groups, family, removes, o, intercept, BlockObs.MIN_WIDTH);
    }

    /** As above, with the width from which the blocked native path is taken ({@code minWidth}; tests lower it). */
    static List<Fit> fitLevels(float[] x, int rows, int cols, float[] y, float[] w, double[] b, int out,
                               List<int[]> groups, int[] family, int[] removes, ReconOptions o, boolean intercept,
                               int minWidth) {
        int n = intercept ? cols + 1 : cols;
        int most = Arrays.stream(removes).max().orElse(0);
        List<Fit> fits = new java.util.ArrayList<>();
        if (n >= minWidth) {
            double lambda = NativeNormalEquations.ridge(x, rows, cols, o.damping());
            // keyed to the layer's hidden size (both o_proj and down_proj write it), as the forwards are: under auto a
            // model is bf16 throughout or not at all, and ReconStage reports which
            int[] order = BlockObs.order(x, rows, cols, y, out, intercept, lambda, groups, family, most, removes,
                    o.matmul().bf16(out));
            for (int k = 0; k < removes.length; k++) {
                fits.add(one(n, out, Arrays.copyOf(order, removes[k]), cols, w, b, groups, o, intercept,
                        cs -> NativeNormalEquations.solve(x, rows, cols, y, out, intercept, cs, lambda)));
            }
            return fits;
        }
        double[] gram = Gemm.gram(x, rows, cols, intercept);
        double[] cross = Gemm.cross(y, out, x, cols, rows, false, intercept);
        NormalEquations ne = NormalEquations.of(gram, cross, n, out, intercept, o.damping());
        int[] others = Arrays.copyOfRange(removes, 1, removes.length);
        GroupObs.Removal r = ne.select(groups, family, most, others);
        for (int k = 0; k < removes.length; k++) {
            double[] snapshot = k == 0 ? null : r.snapshots().get(k - 1);
            fits.add(one(n, out, Arrays.copyOf(r.order(), removes[k]), cols, w, b, groups, o, intercept,
                    snapshot == null ? ne::solve : cs -> GroupObs.columns(snapshot, out, n, cs)));
        }
        return fits;
    }

    /** The fit keeping all but {@code removed}; {@code refit} gives the survivors' weights (out, |cs|) for columns cs. */
    private static Fit one(int n, int out, int[] removed, int cols, float[] w, double[] b, List<int[]> groups,
                           ReconOptions o, boolean intercept, java.util.function.Function<int[], double[]> refit) {
        boolean[] gone = new boolean[groups.size()];
        for (int g : removed) {
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
        int[] columns = Arrays.stream(cs).filter(i -> i < cols).toArray();
        double[] bias = intercept ? new double[out] : null;
        if (!o.refit()) {
            return new Fit(kept, columns, columns(w, out, cols, columns), out, cols, b == null ? null : b.clone());
        }
        float[] weights = new float[out * columns.length];
        if (cs.length == 0) {
            return new Fit(kept, columns, weights, out, cols, bias);
        }
        double[] wk = refit.apply(cs); // (out, |cs|): the kept columns, then the intercept's
        for (int r = 0; r < out; r++) {
            for (int a = 0; a < columns.length; a++) {
                weights[r * columns.length + a] = (float) wk[r * cs.length + a];
            }
            if (intercept) {
                bias[r] = wk[r * cs.length + columns.length];
            }
        }
        return new Fit(kept, columns, weights, out, cols, bias);
    }

    /** Columns of W (out, cols) listed in {@code keep} (ascending): (out, |keep|) as floats. */
    static float[] columns(float[] w, int out, int cols, int[] keep) {
        float[] f = new float[out * keep.length];
        for (int r = 0; r < out; r++) {
            for (int a = 0; a < keep.length; a++) {
                f[r * keep.length + a] = w[r * cols + keep[a]];
            }
        }
        return f;
    }
}
