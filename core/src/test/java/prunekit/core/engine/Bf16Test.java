package prunekit.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bf16 products against exact arithmetic on the same rounded inputs. Needs cuda-kernels/build (built by
 * .ci/run; under CI=true a missing library fails) and a CPU with AMX-BF16 or AVX512-BF16 (skips, saying so).
 */
class Bf16Test {
    @BeforeAll
    static void available() {
        if (!NativeKernels.present() && System.getenv("CI") != null) {
            throw new IllegalStateException(NativeKernels.path() + " is missing under CI: .ci/run must build cuda-kernels first");
        }
        Assumptions.assumeTrue(Bf16.unavailable().isEmpty(), () -> "SKIP bf16 products: " + Bf16.unavailable().get());
    }

    /** fp32 → bf16 bits, round to nearest even (the reference the native rounding must match). */
    private static short rne(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) ((u >>> 16) | 0x40);
        }
        return (short) ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16);
    }

    private static float value(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    @Test
    void roundingIsToNearestEvenAndKeepsSpecialValues() {
        float[] v = {0f, -0f, 1f, 1.00390625f /* a tie: 1 + 2^-8 → 1 */, 1.01171875f /* tie → up to even */,
            3.14159265f, -2.7182817f, 1e-40f, Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.NaN, 65504f, -1e30f};
        try (NDManager m = Engines.newManager()) {
            Bf16.Bits r = Bf16.round(m.create(v));
            assertEquals(new Shape(v.length), r.shape());
            short[] bits = new short[v.length];
            r.bytes().toByteBuffer().order(java.nio.ByteOrder.nativeOrder()).asShortBuffer().get(bits);
            for (int i = 0; i < v.length; i++) {
                assertEquals(rne(v[i]), bits[i], "bits of " + v[i]);
            }
            assertEquals(1f, value(bits[3]));
            assertEquals(1.015625f, value(bits[4]));
            assertTrue(Float.isNaN(value(bits[11])));
            assertEquals(Float.POSITIVE_INFINITY, value(bits[8]), "FLT_MAX rounds up to infinity, as PyTorch's");
        }
    }

    /** x Wᵀ equals the double-precision product of the rounded inputs up to fp32 accumulation. */
    @Test
    void linearIsTheProductOfTheRoundedInputs() {
        int rows = 37;
        int k = 300;
        int n = 53;
        Random r = new Random(7);
        float[] x = new float[2 * rows * k];
        float[] w = new float[n * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (0.02 * r.nextGaussian());
        }
        try (NDManager m = Engines.newManager()) {
            NDArray y = Bf16.linear(m.create(x, new Shape(2, rows, k)), Bf16.round(m.create(w, new Shape(n, k))));
            assertEquals(new Shape(2, rows, n), y.getShape());
            float[] got = y.toFloatArray();
            double worst = 0;
            for (int i = 0; i < 2 * rows; i++) {
                for (int j = 0; j < n; j++) {
                    double e = 0;
                    double mag = 0;
                    for (int a = 0; a < k; a++) {
                        double p = (double) value(rne(x[i * k + a])) * value(rne(w[j * k + a]));
                        e += p;
                        mag += Math.abs(p);
                    }
                    worst = Math.max(worst, Math.abs(got[i * n + j] - e) / mag);
                }
            }
            assertTrue(worst < 1e-5, "worst error relative to the sum of |terms|: " + worst);
        }
    }

    /** Offsets, leading dimensions, a transposed A and β = 1: a block of C gets Aᵀ B added, the rest untouched. */
    @Test
    void gemmAddsIntoABlockOfC() {
        int r = 40;
        int cols = 24;
        Random rnd = new Random(3);
        float[] x = new float[r * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        try (NDManager m = Engines.newManager()) {
            Bf16.Bits xb = Bf16.round(m.create(x, new Shape(r, cols)));
            NDArray c = m.ones(new Shape(cols, cols));
            int j0 = 8;
            int j1 = 16; // C[8:16, 0:16] += X[:, 8:16]ᵀ X[:, 0:16]
            Bf16.gemm(true, false, j1 - j0, j1, r, xb, j0, cols, xb, 0, cols, 1f, c, (long) j0 * cols, cols);
            float[] got = c.toFloatArray();
            for (int i = 0; i < cols; i++) {
                for (int j = 0; j < cols; j++) {
                    double e = 1;
                    if (i >= j0 && i < j1 && j < j1) {
                        for (int t = 0; t < r; t++) {
                            e += (double) value(rne(x[t * cols + i])) * value(rne(x[t * cols + j]));
                        }
                    }
                    assertEquals(e, got[i * cols + j], 1e-4 * (1 + Math.abs(e)), "C[" + i + ", " + j + "]");
                }
            }
        }
    }

    @Test
    void operandsPastTheirArraysAreRefused() {
        try (NDManager m = Engines.newManager()) {
            Bf16.Bits a = Bf16.round(m.ones(new Shape(4, 4)));
            NDArray c = m.zeros(new Shape(4, 4));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Bf16.gemm(false, false, 4, 4, 4, a, 1, 4, a, 0, 4, 0f, c, 0, 4));
            assertTrue(e.getMessage().contains("A holds 32 bytes"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Bf16.gemm(false, false, 4, 4, 4, a, 0, 4, a, 0, 4, 0f, c, 1, 4));
            assertThrows(IllegalArgumentException.class, () -> Bf16.gemm(false, false, 4, 4, 4, a, 0, 3, a, 0, 4, 0f, c, 0, 4));
            assertThrows(IllegalArgumentException.class, () -> Bf16.gemm(false, false, 4, 4, 4, a, 0, 4, a, 0, 4, 0f,
                    m.zeros(new Shape(4, 4), DataType.FLOAT64), 0, 4));
        }
    }
}
