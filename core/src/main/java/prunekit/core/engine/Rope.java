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
 * The cos/sin arrays (maxPositions, headDim) repeat each half-row of the one {@link RopeTable}
 * (HF's {@code cat(freqs, freqs)}); with FLOAT64 params they hold the same fp32 values widened, as
 * HF casts its fp32 table to the model's dtype.
 */
final class Rope {
    private final NDArray cos;
    private final NDArray sin;
    private final int headDim;
    private final int maxPositions;

    Rope(LlamaConfig c, NDManager manager, DataType dtype) {
        RopeTable table = RopeTable.of(c);
        headDim = c.headDim();
        maxPositions = table.positions();
        cos = array(manager, table.cosRows(true), dtype);
        sin = array(manager, table.sinRows(true), dtype);
    }

    /** {@code values} (maxPositions, headDim) in memory PyTorch owns (autograd keeps slices of it for backward). */
    private NDArray array(NDManager manager, float[] values, DataType dtype) {
        Shape shape = new Shape(maxPositions, headDim);
        try (NDArray f = manager.create(values, shape)) {
            return dtype == DataType.FLOAT64 ? f.toType(DataType.FLOAT64, true) : f.duplicate();
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
