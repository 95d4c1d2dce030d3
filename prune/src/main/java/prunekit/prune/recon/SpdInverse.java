package prunekit.prune.recon;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * The inverse of a symmetric positive-definite native matrix, in place, by the blocked symmetric sweep
 * (Gauss-Jordan elimination without pivoting, which is stable on SPD matrices): pivot block P at a time,
 * A_RR ← A_RR − A_RP A_PP⁻¹ A_PR, A_RP ← A_RP A_PP⁻¹, A_PP ← −A_PP⁻¹, which leaves −A⁻¹ once every block
 * is swept. Only the lower triangle (with full diagonal blocks) is read and updated, row chunk by row
 * chunk, so it costs n³ flops in PyTorch matmuls (LU's {@code inverse()}: 2n³) and the only extra memory
 * is a few n×{@link #BLOCK} panels: no second n×n matrix. The small pivot blocks are inverted in fp64.
 */
final class SpdInverse {
    /** Pivot-block and row-chunk size. */
    static final int BLOCK = 512;

    private SpdInverse() {
    }

    /**
     * Replaces {@code a} (n, n; only its lower triangle and diagonal blocks of {@link #BLOCK} are read) by
     * the full symmetric A⁻¹; fails when A is not positive definite.
     */
    static void invertInPlace(NDManager m, NDArray a) {
        int n = (int) a.getShape().get(0);
        for (int p0 = 0; p0 < n; p0 += BLOCK) {
            try (NDManager s = m.newSubManager()) {
                a.tempAttach(s);
                sweep(s, a, n, p0, Math.min(n, p0 + BLOCK));
            }
        }
        a.negi();
        mirrorLower(m, a, n);
    }

    /** Sweeps the pivot block [p0, p1) of the lower-triangle matrix {@code a}. */
    private static void sweep(NDManager s, NDArray a, int n, int p0, int p1) {
        DataType type = a.getDataType();
        NDArray app = a.get(new NDIndex("{}:{}, {}:{}", p0, p1, p0, p1)).toType(DataType.FLOAT64, false);
        Cholesky.of(app.toDoubleArray(), p1 - p0); // fails with its message when A is not positive definite
        NDArray d = app.inverse().toType(type, false);
        NDArray col = column(a, p0, p1); // A_:,P (n, b), from the lower triangle
        NDArray b = col.matMul(d); // A_:,P A_PP⁻¹
        for (int r0 = 0; r0 < n; r0 += BLOCK) {
            int r1 = Math.min(n, r0 + BLOCK);
            if (r0 == p0) {
                continue; // the pivot rows are overwritten below
            }
            try (NDManager c = s.newSubManager()) {
                a.tempAttach(c);
                b.tempAttach(c);
                col.tempAttach(c);
                NDIndex rows = new NDIndex("{}:{}, 0:{}", r0, r1, r1);
                NDArray upd = b.get(new NDIndex("{}:{}", r0, r1)).matMul(col.get(new NDIndex("0:{}", r1)).transpose());
                NativeSlices.update(a, rows, v -> v.subi(upd));
            }
        }
        if (p0 > 0) {
            a.set(new NDIndex("{}:{}, 0:{}", p0, p1, p0), b.get(new NDIndex("0:{}", p0)).transpose());
        }
        a.set(new NDIndex("{}:{}, {}:{}", p0, p1, p0, p1), d.neg());
        if (p1 < n) {
            a.set(new NDIndex("{}:, {}:{}", p1, p0, p1), b.get(new NDIndex("{}:", p1)));
        }
    }

    /** Column block [p0, p1) of the symmetric matrix stored in {@code a}'s lower triangle: (n, p1 − p0), a copy. */
    private static NDArray column(NDArray a, int p0, int p1) {
        NDArray mid = a.get(new NDIndex("{}:, {}:{}", p0, p0, p1)); // rows p0.., lower triangle
        if (p0 == 0) {
            return mid.duplicate(); // a slice may be a view of a, which the sweep then changes
        }
        return a.get(new NDIndex("{}:{}, 0:{}", p0, p1, p0)).transpose().concat(mid, 0);
    }

    /** Copies the lower triangle onto the upper one, row chunk by row chunk. */
    private static void mirrorLower(NDManager m, NDArray a, int n) {
        for (int r0 = 0; r0 < n; r0 += BLOCK) {
            int r1 = Math.min(n, r0 + BLOCK);
            if (r1 == n) {
                break;
            }
            try (NDManager c = m.newSubManager()) {
                a.tempAttach(c);
                a.set(new NDIndex("{}:{}, {}:", r0, r1, r1), a.get(new NDIndex("{}:, {}:{}", r1, r0, r1)).transpose());
            }
        }
    }
}
