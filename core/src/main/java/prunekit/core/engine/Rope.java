package prunekit.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import prunekit.core.model.LlamaConfig;

/**
 * Rotary position embedding in HF's rotate-half layout: dimension j pairs with j + headDim/2.
 * cos/sin tables (maxPositions, headDim) are computed once, as HF does (fp32 inverse frequencies,
 * fp32 angles), including llama3 frequency scaling. With FLOAT64 params the tables are FLOAT64,
 * computed in double.
 */
final class Rope {
    private final NDArray cos;
    private final NDArray sin;
    private final int headDim;
    private final int maxPositions;

    Rope(LlamaConfig c, NDManager manager, DataType dtype) {
        headDim = c.headDim();
        maxPositions = c.maxPositions();
        double[] inv = c.ropeScaling().inverseFrequencies(headDim, c.ropeTheta());
        int half = headDim / 2;
        boolean fp64 = dtype == DataType.FLOAT64;
        double[] cosT = new double[maxPositions * headDim];
        double[] sinT = new double[maxPositions * headDim];
        for (int p = 0; p < maxPositions; p++) {
            for (int j = 0; j < half; j++) {
                double cs;
                double sn;
                if (fp64) {
                    double angle = p * inv[j];
                    cs = Math.cos(angle);
                    sn = Math.sin(angle);
                } else {
                    float angle = (float) p * (float) inv[j];
                    cs = (float) Math.cos(angle);
                    sn = (float) Math.sin(angle);
                }
                cosT[p * headDim + j] = cs;
                cosT[p * headDim + j + half] = cs;
                sinT[p * headDim + j] = sn;
                sinT[p * headDim + j + half] = sn;
            }
        }
        cos = table(manager, cosT, fp64);
        sin = table(manager, sinT, fp64);
    }

    /** The table in memory PyTorch owns (autograd keeps slices of it for the backward pass). */
    private NDArray table(NDManager manager, double[] values, boolean fp64) {
        Shape shape = new Shape(maxPositions, headDim);
        float[] f = new float[fp64 ? 0 : values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        try (NDArray wrapped = fp64 ? manager.create(values, shape) : manager.create(f, shape)) {
            return wrapped.duplicate();
        }
    }

    /** x: (B, heads, T, headDim) at positions start..start+T-1 → rotated, same shape. */
    NDArray apply(NDArray x, int start) {
        long t = x.getShape().get(2);
        if (start + t > maxPositions) {
            throw new IllegalArgumentException("position " + (start + t - 1) + " is past the model's context of "
                    + maxPositions + " positions; use a shorter input or --ctx");
        }
        NDIndex rows = new NDIndex("{}:{}", start, start + t);
        NDArray c = cos.get(rows); // (T, headDim), broadcasts over (B, heads)
        NDArray s = sin.get(rows);
        int half = headDim / 2;
        NDArray x1 = x.get(new NDIndex("..., :{}", half));
        NDArray x2 = x.get(new NDIndex("..., {}:", half));
        NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), -1);
        return x.mul(c).add(rotated.mul(s));
    }
}
