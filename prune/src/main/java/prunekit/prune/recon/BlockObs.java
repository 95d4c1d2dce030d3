package prunekit.prune.recon;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import prunekit.core.engine.Engines;

/**
 * Group OBS for wide matrices (n ≥ {@link #MIN_WIDTH}, e.g. down_proj at 7B, n = 11,008), on
 * PyTorch fp64 (LAPACK and BLAS, multi-threaded) instead of {@link GroupObs}'s Java loops. The same
 * objective, costs and downdates; what differs: single-column groups are removed in blocks
 * (batched greedy, as SlimGPT / OSSCAR do): each step removes the {@link #BLOCK_FRACTION} cheapest
 * of the columns still to remove (at least one, so the last steps are exact greedy), then downdates
 * H⁻¹ and W once by the block's Schur complement. Multi-column groups (heads) go one per step.
 * H is never held in Java: it is accumulated natively in row chunks, inverted, and freed; during the
 * removal two n×n fp64 matrices live (H⁻¹ and one product), three during the inverse (H, PyTorch's LU
 * workspace and H⁻¹: 2.9 GB at n = 11,008). The returned weights are the OBS
 * refit (the survivors' ridge solution up to rounding), with no separate solve.
 */
final class BlockObs {
    /** Widths from here on take this path; every mini-vina (≤ 689) and stories260K matrix stays on the exact one. */
    static final int MIN_WIDTH = 2048;
    static final double BLOCK_FRACTION = 0.125;
    private static final int CHUNK_ROWS = 1024;

    private BlockObs() {
    }

    /**
     * Removes {@code count} groups from the ridge problem of X (rows, cols) and targets Y (rows, out)
     * (a ones column appended with {@code intercept}), with the weights after each {@code snapshotAt}
     * removals (out, n), n = cols (+1).
     */
    static GroupObs.Removal remove(float[] x, int rows, int cols, float[] y, int out, boolean intercept,
                                   double damping, List<int[]> groups, int[] family, int count, int[] snapshotAt) {
        int n = intercept ? cols + 1 : cols;
        try (NDManager m = Engines.newManager()) {
            long[] t0 = PhaseTimes.start();
            NDArray c = m.zeros(new Shape(out, n), DataType.FLOAT64);
            NDArray h = dampedGram(m, x, rows, cols, y, out, intercept, damping, c);
            PhaseTimes.stop("gram n=" + n, t0);
            long[] t1 = PhaseTimes.start();
            NDArray hinv = h.inverse();
            h.close();
            NDArray w = c.matMul(hinv); // the full ridge fit C H⁻¹
            c.close();
            PhaseTimes.stop("inverse n=" + n, t1);
            long[] t2 = PhaseTimes.start();
            GroupObs.Removal r = new State(m, hinv, w, out, n, groups, family).run(count, snapshotAt);
            PhaseTimes.stop("removal n=" + n, t2);
            return r;
        }
    }

    /** H = [X,1]ᵀ[X,1] + λI natively, row chunk by row chunk; C += Yᵀ[X,1] into {@code c}. H's own buffer is freed. */
    private static NDArray dampedGram(NDManager m, float[] x, int rows, int cols, float[] y, int out, boolean intercept,
                                      double damping, NDArray c) {
        int n = intercept ? cols + 1 : cols;
        NDArray h = m.zeros(new Shape(n, n), DataType.FLOAT64);
        for (int r0 = 0; r0 < rows; r0 += CHUNK_ROWS) {
            int r = Math.min(CHUNK_ROWS, rows - r0);
            try (NDManager s = m.newSubManager()) {
                NDArray xa = s.create(Arrays.copyOfRange(x, r0 * cols, (r0 + r) * cols), new Shape(r, cols))
                        .toType(DataType.FLOAT64, false);
                if (intercept) {
                    xa = xa.concat(s.ones(new Shape(r, 1), DataType.FLOAT64), 1);
                }
                NDArray ya = s.create(Arrays.copyOfRange(y, r0 * out, (r0 + r) * out), new Shape(r, out))
                        .toType(DataType.FLOAT64, false);
                h.addi(xa.transpose().matMul(xa));
                c.addi(ya.transpose().matMul(xa));
            }
        }
        int features = intercept ? n - 1 : n;
        double[] diag;
        try (NDManager s = m.newSubManager()) {
            h.tempAttach(s);
            diag = h.take(s.create(diagonal(n, n))).toDoubleArray();
        }
        double mean = 0;
        for (int i = 0; i < features; i++) {
            mean += diag[i];
        }
        mean /= Math.max(1, features);
        double lambda = damping * mean;
        if (!(lambda > 0) && damping > 0) {
            lambda = damping;
        }
        try (NDManager s = m.newSubManager()) {
            h.addi(s.eye(n, n, 0, DataType.FLOAT64).muli(lambda));
        }
        return h;
    }

    /** Flat indices of the diagonal of a (width, width) matrix, first {@code count}. */
    private static long[] diagonal(int width, int count) {
        long[] d = new long[count];
        for (int i = 0; i < count; i++) {
            d[i] = (long) i * (width + 1);
        }
        return d;
    }

    /** H⁻¹ and W over the current columns {@code pos} (original indices), compacted as columns go. */
    private static final class State {
        private final NDManager m;
        private final int out;
        private final int n;
        private final List<int[]> groups;
        private final int[] family;
        private NDArray hinv;
        private NDArray w;
        private int[] pos; // current column → original column
        private final int[] at; // original column → current column, −1 once removed
        private final boolean[] removed;

        State(NDManager m, NDArray hinv, NDArray w, int out, int n, List<int[]> groups, int[] family) {
            this.m = m;
            this.hinv = hinv;
            this.w = w;
            this.out = out;
            this.n = n;
            this.groups = groups;
            this.family = family;
            this.pos = LayerPruner.range(0, n);
            this.at = LayerPruner.range(0, n);
            this.removed = new boolean[groups.size()];
        }

        GroupObs.Removal run(int count, int[] snapshotAt) {
            if (count < 0 || count > groups.size()) {
                throw new IllegalArgumentException("cannot remove " + count + " of " + groups.size() + " groups");
            }
            boolean singletons = family == null && groups.stream().allMatch(g -> g.length == 1);
            int families = family == null ? 1 : Arrays.stream(family).max().orElse(-1) + 1;
            boolean[] hit = new boolean[families];
            int[] order = new int[count];
            double[] costs = new double[count];
            double[][] snaps = new double[snapshotAt.length][];
            int done = 0;
            snapshot(snaps, snapshotAt, 0);
            while (done < count) {
                if (family != null && allHit(hit)) {
                    Arrays.fill(hit, false);
                }
                double[] cost = costs(singletons, hit);
                int k = singletons ? Math.max(1, (int) ((count - done) * BLOCK_FRACTION)) : 1;
                k = Math.min(k, nextStop(snapshotAt, done, count) - done);
                int[] chosen = cheapest(cost, k);
                List<Integer> cols = new ArrayList<>();
                for (int g : chosen) {
                    removed[g] = true;
                    if (family != null) {
                        hit[family[g]] = true;
                    }
                    order[done] = g;
                    costs[done++] = cost[g];
                    for (int col : groups.get(g)) {
                        cols.add(col);
                    }
                }
                downdate(cols.stream().mapToInt(Integer::intValue).toArray());
                snapshot(snaps, snapshotAt, done);
            }
            return new GroupObs.Removal(order, costs, Arrays.asList(snaps));
        }

        private boolean allHit(boolean[] hit) {
            for (int g = 0; g < removed.length; g++) {
                if (!removed[g] && !hit[family[g]]) {
                    return false;
                }
            }
            return true;
        }

        /** The smallest snapshot count above {@code done}, else {@code count}: blocks never jump over one. */
        private static int nextStop(int[] snapshotAt, int done, int count) {
            int stop = count;
            for (int s : snapshotAt) {
                if (s > done && s < stop) {
                    stop = s;
                }
            }
            return stop;
        }

        /** tr(W_S (H⁻¹_SS)⁻¹ W_Sᵀ) of every eligible group, +∞ for the others. */
        private double[] costs(boolean singletons, boolean[] hit) {
            double[] cost = new double[groups.size()];
            Arrays.fill(cost, Double.POSITIVE_INFINITY);
            try (NDManager s = m.newSubManager()) {
                hinv.tempAttach(s); // temporaries land in s and go with it
                w.tempAttach(s);
                if (singletons) {
                    double[] sq = w.square().sum(new int[] {0}).toDoubleArray();
                    double[] d = hinv.take(s.create(diagonal(pos.length, pos.length))).toDoubleArray();
                    for (int g = 0; g < groups.size(); g++) {
                        int j = at[groups.get(g)[0]];
                        if (!removed[g]) {
                            cost[g] = sq[j] / d[j];
                        }
                    }
                    return cost;
                }
                for (int g = 0; g < groups.size(); g++) {
                    if (removed[g] || (family != null && hit[family[g]])) {
                        continue;
                    }
                    NDArray idx = s.create(current(groups.get(g)));
                    NDArray ws = w.get(new NDIndex(":, {}", idx));
                    NDArray hss = hinv.get(new NDIndex("{}", idx)).get(new NDIndex(":, {}", idx));
                    cost[g] = ws.matMul(hss.inverse()).mul(ws).sum().toType(DataType.FLOAT64, false).getDouble();
                }
            }
            return cost;
        }

        /** The {@code k} lowest costs (ties to the lower group), ascending by cost. */
        private static int[] cheapest(double[] cost, int k) {
            Integer[] idx = new Integer[cost.length];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = i;
            }
            Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> cost[i]).thenComparingInt(i -> i));
            int[] out = new int[k];
            for (int i = 0; i < k; i++) {
                if (cost[idx[i]] == Double.POSITIVE_INFINITY) {
                    throw new IllegalStateException("no group left to remove after " + i + " of a block of " + k);
                }
                out[i] = idx[i];
            }
            return out;
        }

        private long[] current(int[] original) {
            long[] c = new long[original.length];
            for (int i = 0; i < c.length; i++) {
                c[i] = at[original[i]];
            }
            return c;
        }

        /**
         * Removes the original columns {@code s}: W ← W − W_S (H⁻¹_SS)⁻¹ H⁻¹_S,: and
         * H⁻¹ ← H⁻¹ − H⁻¹_:,S (H⁻¹_SS)⁻¹ H⁻¹_S,: (in place: one n×n product lives beside H⁻¹), then
         * drops the removed rows and columns once a quarter of the current ones are gone.
         */
        private void downdate(int[] s) {
            try (NDManager t = m.newSubManager()) {
                hinv.tempAttach(t);
                w.tempAttach(t);
                NDArray idx = t.create(current(s));
                NDArray hcs = hinv.get(new NDIndex(":, {}", idx)); // (m, k)
                NDArray inv = hcs.get(new NDIndex("{}", idx)).inverse(); // (H⁻¹_SS)⁻¹
                NDArray hsc = hcs.transpose();
                w.subi(w.get(new NDIndex(":, {}", idx)).matMul(inv).matMul(hsc));
                hinv.subi(hcs.matMul(inv).matMul(hsc));
            }
            for (int col : s) {
                at[col] = -1;
            }
            int alive = (int) Arrays.stream(at).filter(a -> a >= 0).count();
            if (alive < 0.75 * pos.length) {
                compact();
            }
        }

        private void compact() {
            int[] keep = Arrays.stream(pos).filter(p -> at[p] >= 0).toArray();
            long[] cur = current(keep);
            NDArray idx = m.create(cur);
            NDArray rowsKept = hinv.get(new NDIndex("{}", idx));
            hinv.close();
            hinv = rowsKept.get(new NDIndex(":, {}", idx));
            rowsKept.close();
            NDArray w2 = w.get(new NDIndex(":, {}", idx));
            w.close();
            w = w2;
            idx.close();
            pos = keep;
            for (int i = 0; i < keep.length; i++) {
                at[keep[i]] = i;
            }
        }

        /** The current weights over all n original columns (zero where removed), for every snapshot at {@code done}. */
        private void snapshot(double[][] snaps, int[] snapshotAt, int done) {
            double[] full = null;
            for (int k = 0; k < snapshotAt.length; k++) {
                if (snapshotAt[k] != done) {
                    continue;
                }
                if (full == null) {
                    double[] cur = w.toDoubleArray();
                    full = new double[out * n];
                    for (int r = 0; r < out; r++) {
                        for (int i = 0; i < pos.length; i++) {
                            if (at[pos[i]] >= 0) {
                                full[r * n + pos[i]] = cur[r * pos.length + i];
                            }
                        }
                    }
                }
                snaps[k] = full;
            }
        }
    }
}
