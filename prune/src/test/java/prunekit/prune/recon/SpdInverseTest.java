package prunekit.prune.recon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;
import prunekit.core.engine.Engines;

/** The blocked in-place sweep against the exact Java Cholesky inverse, over several blocks and a partial one. */
class SpdInverseTest {
    /** A Aᵀ + I (n, n) of a seeded random A, row-major, in double. */
    private static double[] spd(int n, long seed) {
        Random r = new Random(seed);
        double[] a = new double[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextGaussian();
        }
        double[] s = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = i == j ? 1 : 0;
                for (int k = 0; k < n; k++) {
                    v += a[i * n + k] * a[j * n + k];
                }
                s[i * n + j] = v;
                s[j * n + i] = v;
            }
        }
        return s;
    }

    @Test
    void matchesTheCholeskyInverseInFp64AndFp32() {
        int n = 2 * SpdInverse.BLOCK + 77;
        double[] a = spd(n, 1);
        double[] exact = Cholesky.of(a, n).inverse();
        double scale = java.util.Arrays.stream(exact).map(Math::abs).max().orElse(1);
        try (NDManager m = Engines.newManager()) {
            for (int i = 0; i < n; i++) { // only the lower triangle and the diagonal blocks may be read
                for (int j = i + 1; j < n; j++) {
                    if (i / SpdInverse.BLOCK != j / SpdInverse.BLOCK) {
                        a[i * n + j] = Double.NaN;
                    }
                }
            }
            NDArray h = m.create(a, new Shape(n, n));
            NDArray h32 = h.toType(DataType.FLOAT32, false);
            SpdInverse.invertInPlace(m, h);
            SpdInverse.invertInPlace(m, h32);
            double[] got = h.toDoubleArray();
            float[] got32 = h32.toFloatArray();
            for (int i = 0; i < got.length; i++) {
                assertEquals(exact[i], got[i], 1e-9 * scale, "fp64 entry " + i);
                assertEquals(exact[i], got32[i], 1e-3 * scale, "fp32 entry " + i);
            }
        }
    }

    @Test
    void refusesAMatrixThatIsNotPositiveDefinite() {
        int n = SpdInverse.BLOCK + 3;
        double[] a = spd(n, 2);
        a[(n - 1) * n + n - 1] = -1;
        try (NDManager m = Engines.newManager()) {
            NDArray h = m.create(a, new Shape(n, n));
            assertThrows(IllegalArgumentException.class, () -> SpdInverse.invertInPlace(m, h));
        }
    }
}
