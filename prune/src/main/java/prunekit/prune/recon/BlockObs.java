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
import java.util.stream.IntStream;
import prunekit.core.engine.Engines;

/**
 * Group OBS for wide matrices (n ≥ {@link #MIN_WIDTH}, e.g. down_proj at 7B, n = 11,008), on PyTorch
 * instead of {@link GroupObs}'s Java loops, in fp32 as GPTQ / SparseGPT work (the small k×k inverses in
 * fp64): it only chooses what goes, and the survivors are then refit exactly in fp64
 * ({@link NativeNormalEquations#solve}). The same objective, costs and downdates; what differs:
 * single-column groups are removed in blocks (batched greedy, as SlimGPT / OSSCAR do): each step removes
 * the {@link #BLOCK_FRACTION} cheapest of the columns still to remove (at least one, so the last steps are
 * exact greedy), then downdates H⁻¹ and W once by the block's Schur complement. Multi-column groups
 * (heads) go one per step. H is accumulated natively in row chunks and inverted in place
 * ({@link SpdInverse}); H⁻¹ and W are downdated in place row chunk by row chunk, so one n×n fp32 matrix
 * lives (0.48 GB at n = 11,008) besides panels of n×{@link SpdInverse#BLOCK}.
 */
final class BlockObs {
    /** Widths from here on take this path; every mini-vina (≤ 689) and stories260K matrix stays on the exact one. */
    static final int MIN_WIDTH = 2048;
    static final double BLOCK_FRACTION = 0.125;
    /** The precision of H, H⁻¹ and W on this path (as GPTQ / SparseGPT): the small pivot inverses are fp64. */
    static final DataType TYPE = DataType.FLOAT32;

    private BlockObs() {
    }

    /**
     * The order in which {@code count} groups leave the ridge problem of X (rows, cols) and targets Y (rows, out)
     * (a ones column appended with {@code intercept}; ridge {@code lambda}), the blocks never straddling one of
     * {@code stops} (so each is a prefix of the order). The weights are not kept: they are refit after.
     */
    static int[] order(float[] x, int rows, int cols, float[] y, int out, boolean intercept, double lambda,
                       List<int[]> groups, int[] family, int count, int[] stops, boolean bf16) {
        return order(x, rows, cols, y, out, intercept, lambda, groups, family, count, stops, TYPE, bf16);
    }

    /** As above in precision {@code type} (tests compare fp32 with fp64); H and C from bf16 products with {@code bf16}. */
    static int[] order(float[] x, int rows, int cols, float[] y, int out, boolean intercept, double lambda,
                       List<int[]> groups, int[] family, int count, int[] stops, DataType type, boolean bf16) {
        int n = intercept ? cols + 1 : cols;
        try (NDManager m = Engines.newManager()) {
            long[] t0 = PhaseTimes.start();
            NDArray[] hc = NativeNormalEquations.build(m, x, rows, cols, y, out, intercept, LayerPruner.range(0, n),
                    lambda, type, bf16);
            PhaseTimes.stop((bf16 ? "gram bf16 n=" : "gram n=") + n, t0);
            long[] t1 = PhaseTimes.start();
            SpdInverse.invertInPlace(m, hc[0]); // H⁻¹ from here on
            NDArray w = hc[1].matMul(hc[0]); // the full ridge fit C H⁻¹
            hc[1].close();
            PhaseTimes.stop("inverse n=" + n, t1);
            long[] t2 = PhaseTimes.start();
            int[] order = new State(m, hc[0], w, n, groups, family).run(count, stops);
            PhaseTimes.stop("removal n=" + n, t2);
            return order;
        }
    }

    /** target[r, :] −= left[r, :] · right row chunk by row chunk, in place: no temporary as large as target. */
    static void subtractProduct(NDManager m, NDArray target, NDArray left, NDArray right) {
        int rows = (int) target.getShape().get(0);
        for (int r0 = 0; r0 < rows; r0 += SpdInverse.BLOCK) {
            int r1 = Math.min(rows, r0 + SpdInverse.BLOCK);
            try (NDManager s = m.newSubManager()) {
                target.tempAttach(s);
                left.tempAttach(s);
                right.tempAttach(s);
                NDIndex idx = new NDIndex("{}:{}", r0, r1);
                NDArray product = left.get(idx).matMul(right);
                NativeSlices.update(target, idx, v -> v.subi(product));
            }
        }
    }

    /** The inverse of a small (k, k) block, in fp64, back in the block's type. */
    private static NDArray smallInverse(NDArray a) {
        return a.toType(DataType.FLOAT64, false).inverse().toType(a.getDataType(), false);
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
        private final List<int[]> groups;
        private final int[] family;
        private NDArray hinv;
        private NDArray w;
        private int[] pos; // current column → original column
        private final int[] at; // original column → current column, −1 once removed
        private final boolean[] removed;

        State(NDManager m, NDArray hinv, NDArray w, int n, List<int[]> groups, int[] family) {
            this.m = m;
            this.hinv = hinv;
            this.w = w;
            this.groups = groups;
            this.family = family;
            this.pos = LayerPruner.range(0, n);
            this.at = LayerPruner.range(0, n);
            this.removed = new boolean[groups.size()];
        }

        int[] run(int count, int[] stops) {
            if (count < 0 || count > groups.size()) {
                throw new IllegalArgumentException("cannot remove " + count + " of " + groups.size() + " groups");
            }
            boolean singletons = family == null && groups.stream().allMatch(g -> g.length == 1);
            int families = family == null ? 1 : Arrays.stream(family).max().orElse(-1) + 1;
            boolean[] hit = new boolean[families];
            int[] order = new int[count];
            int done = 0;
            while (done < count) {
                if (family != null && GroupObs.allHit(hit, removed, family)) {
                    Arrays.fill(hit, false);
                }
                double[] cost = costs(singletons, hit);
                int k = singletons ? Math.max(1, (int) ((count - done) * BLOCK_FRACTION)) : 1;
                k = Math.min(k, nextStop(stops, done, count) - done);
                int[] chosen = cheapest(cost, k);
                List<Integer> cols = new ArrayList<>();
                for (int g : chosen) {
                    removed[g] = true;
                    if (family != null) {
                        hit[family[g]] = true;
                    }
                    order[done++] = g;
                    for (int col : groups.get(g)) {
                        cols.add(col);
                    }
                }
                downdate(cols.stream().mapToInt(Integer::intValue).toArray());
            }
            return order;
        }

        /** The smallest stop above {@code done}, else {@code count}: blocks never jump over one. */
        private static int nextStop(int[] stops, int done, int count) {
            int stop = count;
            for (int s : stops) {
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
                    double[] sq = w.square().sum(new int[] {0}).toType(DataType.FLOAT64, false).toDoubleArray();
                    double[] d = hinv.take(s.create(diagonal(pos.length, pos.length))).toType(DataType.FLOAT64, false)
                            .toDoubleArray();
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
                    cost[g] = ws.matMul(smallInverse(hss)).mul(ws).sum().toType(DataType.FLOAT64, false).getDouble();
                }
            }
            return cost;
        }

        /** The {@code k} lowest costs (ties to the lower group), ascending by cost. */
        private static int[] cheapest(double[] cost, int k) {
            Integer[] idx = IntStream.range(0, cost.length).boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> cost[i]).thenComparingInt(i -> i))
                    .toArray(Integer[]::new);
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
                NDArray inv = smallInverse(hcs.get(new NDIndex("{}", idx))); // (H⁻¹_SS)⁻¹
                NDArray hsc = hcs.transpose();
                subtractProduct(t, w, w.get(new NDIndex(":, {}", idx)).matMul(inv), hsc);
                subtractProduct(t, hinv, hcs.matMul(inv), hsc);
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
            NDArray kept = m.zeros(new Shape(cur.length, cur.length), hinv.getDataType());
            for (int r0 = 0; r0 < cur.length; r0 += SpdInverse.BLOCK) { // row chunks: no n'×n temporary
                int r1 = Math.min(cur.length, r0 + SpdInverse.BLOCK);
                try (NDManager s = m.newSubManager()) {
                    hinv.tempAttach(s);
                    kept.tempAttach(s);
                    NDArray rows = s.create(Arrays.copyOfRange(cur, r0, r1));
                    kept.set(new NDIndex("{}:{}", r0, r1), hinv.get(new NDIndex("{}", rows)).get(new NDIndex(":, {}", idx)));
                }
            }
            hinv.close();
            hinv = kept;
            NDArray w2 = w.get(new NDIndex(":, {}", idx));
            w.close();
            w = w2;
            idx.close();
            pos = keep;
            for (int i = 0; i < keep.length; i++) {
                at[keep[i]] = i;
            }
        }
    }
}
