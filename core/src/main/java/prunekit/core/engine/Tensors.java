package prunekit.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import prunekit.core.model.FloatTensor;

/** Copies between DJL arrays and Java {@link FloatTensor}s, the one place this is done. */
public final class Tensors {
    private Tensors() {
    }

    /** {@code a} copied into Java memory as fp32 (converted first if it is another float type), same shape. */
    public static FloatTensor toFloatTensor(NDArray a) {
        long[] s = a.getShape().getShape();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = Math.toIntExact(s[i]);
        }
        if (a.getDataType() == DataType.FLOAT32) {
            return new FloatTensor(shape, a.toFloatArray());
        }
        try (NDArray f = a.toType(DataType.FLOAT32, true)) {
            return new FloatTensor(shape, f.toFloatArray());
        }
    }
}
