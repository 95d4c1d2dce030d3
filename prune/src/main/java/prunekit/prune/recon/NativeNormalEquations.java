package prunekit.prune.recon;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import prunekit.core.engine.Bf16;

/**
 * {@link NormalEquations} of a wide matrix held natively (PyTorch) in a chosen precision: H = X_Kᵀ X_K + λI
 * (only the lower triangle and the diagonal blocks {@link SpdInverse} reads) and C = Yᵀ X_K over the columns
 * K of [X, 1], accumulated row chunk by row chunk so no copy of X as large as X is made. fp32 for choosing
 * what to remove (as GPTQ / SparseGPT), fp64 for the survivors' refit.
 */
final class NativeNormalEquations {
    private static final int CHUNK_ROWS = 1024;

    private NativeNormalEquations() {
    }

    /** λ = damping · mean(diag XᵀX) over X's columns (rows, cols), in double, as {@link NormalEquations} has it. */
    static double ridge(float[] x, int rows, int cols, double damping) {
        double sum = 0;
        for (int i = 0; i < rows * cols; i++) {
            sum += (double) x[i] * x[i];
        }
        double lambda = damping * sum / Math.max(1, cols);
        return !(lambda > 0) && damping > 0 ? damping : lambda; // all-zero inputs: keep the system solvable
    }

    /**
     * H (n, n) and C (out, n) in {@code type}, attached to {@code m}, over columns {@code keep} (ascending
     * indices into [X, 1]: {@code cols} is the ones column, only with {@code intercept}), n = |keep|.
     */
    static NDArray[] build(NDManager m, float[] x, int rows, int cols, float[] y, int out, boolean intercept, int[] keep,
                           double lambda, DataType type) {
        return build(m, x, rows, cols, y, out, intercept, keep, lambda, type, false);
    }

    /**
     * As above; with {@code bf16} (fp32 only) every product takes X and Y rounded to bf16 and accumulates in fp32
     * ({@link Bf16#gemm}, straight into H and C), as a GPU pruner's Gram of fp16/bf16 activations does.
     */
    static NDArray[] build(NDManager m, float[] x, int rows, int cols, float[] y, int out, boolean intercept, int[] keep,
                           double lambda, DataType type, boolean bf16) {
        if (bf16 && type != DataType.FLOAT32) {
            throw new IllegalArgumentException("bf16 products accumulate in fp32, not " + type);
        }
        int n = keep.length;
        int b = SpdInverse.BLOCK;
        boolean all = n == (intercept ? cols + 1 : cols);
        NDArray h = m.zeros(new Shape(n, n), type);
        NDArray c = m.zeros(new Shape(out, n), type);
        for (int r0 = 0; r0 < rows; r0 += CHUNK_ROWS) {
            int r = Math.min(CHUNK_ROWS, rows - r0);
            try (NDManager s = m.newSubManager()) {
                h.tempAttach(s);
                c.tempAttach(s);
                NDArray xa = Gemm.toNative(s, x, r0 * cols, new Shape(r, cols));
                if (intercept) {
                    xa = xa.concat(s.ones(new Shape(r, 1)), 1);
                }
                if (!all) {
                    xa = xa.get(new NDIndex(":, {}", s.create(Arrays.stream(keep).asLongStream().toArray())));
                }
                xa = xa.toType(type, false);
                NDArray ya = Gemm.toNative(s, y, r0 * out, new Shape(r, out))
                        .toType(type, false);
                if (bf16) {
                    Bf16.Bits xb = Bf16.round(xa);
                    Bf16.Bits yb = Bf16.round(ya);
                    Bf16.gemm(true, false, out, n, r, yb, 0, out, xb, 0, n, 1f, c, 0, n); // C += Yᵀ X
                    for (int j0 = 0; j0 < n; j0 += b) { // H[j0:j1, 0:j1] += X[:, j0:j1]ᵀ X[:, 0:j1]
                        int j1 = Math.min(n, j0 + b);
                        Bf16.gemm(true, false, j1 - j0, j1, r, xb, j0, n, xb, 0, n, 1f, h, (long) j0 * n, n);
                    }
                    continue;
                }
                c.addi(ya.transpose().matMul(xa));
                for (int j0 = 0; j0 < n; j0 += b) {
                    int j1 = Math.min(n, j0 + b);
                    NDIndex block = new NDIndex("{}:{}, 0:{}", j0, j1, j1);
                    NDArray part = xa.get(new NDIndex(":, {}:{}", j0, j1)).transpose()
                            .matMul(xa.get(new NDIndex(":, 0:{}", j1)));
                    NativeSlices.update(h, block, v -> v.addi(part));
                }
            }
        }
        for (int j0 = 0; j0 < n; j0 += b) {
            int j1 = Math.min(n, j0 + b);
            try (NDManager s = m.newSubManager()) {
                h.tempAttach(s);
                NDIndex block = new NDIndex("{}:{}, {}:{}", j0, j1, j0, j1);
                NDArray ridge = s.eye(j1 - j0, j1 - j0, 0, type).muli(lambda);
                NativeSlices.update(h, block, v -> v.addi(ridge));
            }
        }
        return new NDArray[] {h, c};
    }

    /**
     * The ridge refit of the columns {@code keep} in fp64, W_K = C_K H_KK⁻¹: (out, |keep|) as a Java array,
     * the same solution as {@link NormalEquations#solve} up to rounding.
     */
    static double[] solve(float[] x, int rows, int cols, float[] y, int out, boolean intercept, int[] keep,
                          double lambda) {
        long[] t0 = PhaseTimes.start();
        try (NDManager m = prunekit.core.engine.Engines.newManager()) {
            NDArray[] hc = build(m, x, rows, cols, y, out, intercept, keep, lambda, DataType.FLOAT64);
            SpdInverse.invertInPlace(m, hc[0]);
            return hc[1].matMul(hc[0]).toDoubleArray();
        } finally {
            PhaseTimes.stop("refit n=" + (intercept ? cols + 1 : cols), t0);
        }
    }
}
