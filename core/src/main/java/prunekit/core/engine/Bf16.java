package prunekit.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * bf16 × bf16 → fp32 matrix products on PyTorch's CPU arrays, for the wide path of the reconstruction pruner
 * (calibration forwards and Gram matrices at 7B width): MKL's {@code cblas_gemm_bf16bf16f32} inside the
 * libtorch_cpu.so DJL loaded, called through {@link NativeKernels}' library, which reads and writes the arrays'
 * own memory (no copies). DJL cannot hold bf16 arrays (a bf16 or an int16 tensor aborts the JVM), so bf16 values
 * live as {@link Bits}: two bytes each in an INT8 array, rounded to nearest even from fp32 as PyTorch rounds.
 * Only where the CPU has AMX-BF16 or AVX512-BF16 ({@link #unavailable}); there a product runs about 4× faster than
 * PyTorch's fp32 one (a 1024 × 4096 · 4096 × 11008 product: 560 vs 147 GFLOP/s on 2 cores of a Xeon with AMX), with the error of
 * rounding its inputs to 8 significant bits (relative ~2⁻⁹ per element, ~2·10⁻³ on a 4096-long dot product).
 */
public final class Bf16 {
    private static Optional<String> unavailable;

    private Bf16() {
    }

    /** A row-major bf16 array of {@code shape}: its values' bits, two bytes each, in the INT8 array {@code bytes}. */
    public record Bits(NDArray bytes, Shape shape) implements AutoCloseable {
        public Bits {
            if (bytes.getDataType() != DataType.INT8 || bytes.size() != 2 * shape.size()) {
                throw new IllegalArgumentException("bf16 bits of " + shape + " need " + 2 * shape.size() + " INT8 bytes, got "
                        + bytes.getShape() + " " + bytes.getDataType());
            }
        }

        @Override
        public void close() {
            bytes.close();
        }
    }

    /** Why the bf16 products cannot run in this process (no library, no bf16 instructions, no MKL), or empty. */
    public static synchronized Optional<String> unavailable() {
        if (unavailable == null) {
            if (!NativeKernels.present()) {
                unavailable = Optional.of("the native kernels library " + NativeKernels.path().toAbsolutePath()
                        + " is not built (bash cuda-kernels/ci.sh)");
            } else {
                Engines.pytorch(); // libtorch_cpu.so must be in the process before the symbol is looked up
                try {
                    NativeKernels.load();
                    unavailable = Optional.ofNullable(unavailableReason());
                } catch (UnsatisfiedLinkError e) { // a library built before this class, or for another machine
                    unavailable = Optional.of("the native kernels library " + NativeKernels.path().toAbsolutePath()
                            + " lacks the bf16 products (" + e.getMessage() + "): rebuild it with bash cuda-kernels/ci.sh");
                }
            }
        }
        return unavailable;
    }

    /** {@code x} (fp32, any shape) rounded to bf16, in x's manager. */
    public static Bits round(NDArray x) {
        require(x, DataType.FLOAT32, "x");
        NDArray r = x.getManager().zeros(new Shape(2 * x.size()), DataType.INT8);
        convert(x.toByteBuffer(true), 0, r.toByteBuffer(true), 0, x.size());
        return new Bits(r, x.getShape());
    }

    /** x Wᵀ: x (…, k) fp32, W (n, k) bf16 ({@link #round}); (…, n) fp32 in x's manager, x rounded first. */
    public static NDArray linear(NDArray x, Bits w) {
        Shape xs = x.getShape();
        int k = Math.toIntExact(xs.get(xs.dimension() - 1));
        int n = Math.toIntExact(w.shape().get(0));
        if (w.shape().dimension() != 2 || w.shape().get(1) != k) {
            throw new IllegalArgumentException("x " + xs + " cannot multiply wᵀ of " + w.shape());
        }
        int m = Math.toIntExact(xs.size() / k);
        try (Bits xb = round(x)) {
            long[] ys = xs.getShape().clone(); // getShape() is the Shape's own array
            ys[ys.length - 1] = n;
            NDArray y = x.getManager().zeros(new Shape(ys), DataType.FLOAT32);
            gemm(false, true, m, n, k, xb, 0, k, w, 0, k, 0f, y, 0, n);
            return y;
        }
    }

    /**
     * C ← op(A)·op(B) + β·C on row-major matrices that start at element offsets: A, B bf16, C fp32 and written in
     * place (so it must be contiguous: one this code or PyTorch created, not a view). op(A) is (m, k), op(B) (k, n);
     * lda, ldb, ldc the row strides of A, B, C as stored. Nothing outside the arrays is read or written (checked).
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, Bits a, long aOffset, int lda,
                            Bits b, long bOffset, int ldb, float beta, NDArray c, long cOffset, int ldc) {
        require(c, DataType.FLOAT32, "C");
        unavailable().ifPresent(why -> {
            throw new IllegalStateException("bf16 products are not available: " + why);
        });
        gemm(transA, transB, m, n, k, a.bytes().toByteBuffer(true), aOffset, lda, b.bytes().toByteBuffer(true), bOffset,
                ldb, beta, c.toByteBuffer(true), cOffset, ldc);
    }

    private static void require(NDArray a, DataType t, String what) {
        if (a.getDataType() != t) {
            throw new IllegalArgumentException(what + " must be " + t + ", got " + a.getDataType());
        }
    }

    private static native String unavailableReason();

    private static native void convert(ByteBuffer src, long srcOffset, ByteBuffer dst, long dstOffset, long count);

    private static native void gemm(boolean transA, boolean transB, int m, int n, int k, ByteBuffer a, long aOffset,
                                    int lda, ByteBuffer b, long bOffset, int ldb, float beta, ByteBuffer c, long cOffset,
                                    int ldc);
}
