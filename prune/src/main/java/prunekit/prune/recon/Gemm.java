package prunekit.prune.recon;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import prunekit.core.engine.Engines;
import prunekit.core.engine.Tensors;

/**
 * The large products of layer-wise reconstruction on PyTorch: Gram and cross products over all
 * calibration tokens in fp64, and a linear layer in fp32 to propagate outputs. Matrices are
 * row-major Java arrays; {@code rows} is the number of tokens. Every array goes to PyTorch through
 * {@link #toNative}, into memory freed when it is closed (not Java direct buffers freed at GC).
 */
final class Gemm {
    /** One staging buffer per thread for {@link Tensors#toNative}. */
    private static final ThreadLocal<ByteBuffer> STAGING = ThreadLocal.withInitial(Tensors::newStaging);

    private Gemm() {
    }

    /** The {@code shape.size()} values of {@code d} from {@code offset}: an fp32 array of {@code m}, PyTorch-owned. */
    static NDArray toNative(NDManager m, float[] d, int offset, Shape shape) {
        return Tensors.toNative(m, d, offset, shape, STAGING.get());
    }

    /** [X, 1]ᵀ[X, 1] (or XᵀX without {@code ones}): (n, n), n = cols (+1). X: (rows, cols). */
    static double[] gram(float[] x, int rows, int cols, boolean ones) {
        return cross(x, cols, x, cols, rows, ones, ones);
    }

    /** [Y, 1?]ᵀ [X, 1?]: (yc (+1), xc (+1)); Y: (rows, yc), X: (rows, xc). */
    static double[] cross(float[] y, int yc, float[] x, int xc, int rows, boolean yOnes, boolean xOnes) {
        try (NDManager m = Engines.newManager()) {
            NDArray xa = withOnes(m, x, rows, xc, xOnes);
            NDArray ya = y == x && yOnes == xOnes ? xa : withOnes(m, y, rows, yc, yOnes);
            return ya.transpose().matMul(xa).toDoubleArray();
        }
    }

    private static NDArray withOnes(NDManager m, float[] x, int rows, int cols, boolean ones) {
        NDArray a = toNative(m, x, 0, new Shape(rows, cols)).toType(DataType.FLOAT64, false);
        return ones ? a.concat(m.ones(new Shape(rows, 1), DataType.FLOAT64), 1) : a;
    }

    /** X Wᵀ + b in fp32: (rows, out). X: (rows, cols), W: (out, cols), b: (out) or null. */
    static float[] linear(float[] x, int rows, int cols, float[] w, int out, double[] b) {
        try (NDManager m = Engines.newManager()) {
            NDArray wt = toNative(m, w, 0, new Shape(out, cols)).transpose();
            NDArray y = toNative(m, x, 0, new Shape(rows, cols)).matMul(wt);
            if (b != null) {
                y = y.add(toNative(m, toFloat(b), 0, new Shape(out)));
            }
            return y.toFloatArray();
        }
    }

    static float[] add(float[] a, float[] b) {
        float[] s = new float[a.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = a[i] + b[i];
        }
        return s;
    }

    static float[] subtract(float[] a, float[] b) {
        float[] s = new float[a.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = a[i] - b[i];
        }
        return s;
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
