package prunekit.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import prunekit.core.model.FloatTensor;

/** Copies between DJL arrays and Java {@link FloatTensor}s, the one place this is done. */
public final class Tensors {
    private Tensors() {
    }

    /** Bytes of a staging buffer for {@link #toNative}: 16 MB, small beside a 7B-class tensor. */
    public static final int STAGING_BYTES = 1 << 24;

    /** A reusable staging buffer for {@link #toNative} (direct, native byte order). */
    public static ByteBuffer newStaging() {
        return ByteBuffer.allocateDirect(STAGING_BYTES).order(ByteOrder.nativeOrder());
    }

    /**
     * {@code t} as an fp32 array of {@code m} in memory PyTorch owns, copied chunk by chunk through
     * {@code staging} (from {@link #newStaging}, reused by every call). {@code m.create(float[])} instead
     * puts the array over a Java direct buffer of the whole tensor, freed only when the garbage collector
     * gets to it: for a layer streamed at 7B width that left up to {@code -XX:MaxDirectMemorySize} of
     * dead layers resident. This array's memory is freed when it is closed. Same values, bit for bit.
     */
    public static NDArray toNative(NDManager m, FloatTensor t, ByteBuffer staging) {
        return toNative(m, t.data(), 0, shape(t), staging);
    }

    /**
     * As {@link #toNative(NDManager, FloatTensor, ByteBuffer)} for the {@code shape.size()} values of {@code d}
     * from {@code offset} (a row range of a row-major matrix, say), without copying them on the Java heap first.
     */
    public static NDArray toNative(NDManager m, float[] d, int offset, Shape shape, ByteBuffer staging) {
        int n = Math.toIntExact(shape.size());
        if (offset < 0 || offset + (long) n > d.length) {
            throw new IllegalArgumentException("Tensors.toNative: " + n + " values from " + offset
                    + " do not fit in an array of " + d.length + ": pass a shape within the data");
        }
        int step = staging.capacity() / Float.BYTES;
        NDArray flat = m.create(new Shape(n)); // uninitialized (torch::empty); every element is set below
        try {
            for (int off = 0; off < n; off += step) {
                int k = Math.min(step, n - off);
                staging.clear();
                staging.asFloatBuffer().put(d, offset + off, k);
                staging.limit(k * Float.BYTES);
                try (NDArray chunk = m.create(staging, new Shape(k), DataType.FLOAT32)) { // over staging, no copy
                    flat.set(new NDIndex("{}:{}", off, off + k), chunk);
                }
            }
            if (shape.dimension() == 1) {
                return flat;
            }
            try (NDArray f = flat) {
                return f.reshape(shape);
            }
        } catch (RuntimeException e) {
            flat.close();
            throw e;
        }
    }

    /** {@code a} copied into Java memory as fp32 (converted first if it is another float type), same shape. */
    public static FloatTensor toFloatTensor(NDArray a) {
        int[] shape = shape(a);
        if (a.getDataType() == DataType.FLOAT32) {
            return new FloatTensor(shape, a.toFloatArray());
        }
        try (NDArray f = a.toType(DataType.FLOAT32, true)) {
            return new FloatTensor(shape, f.toFloatArray());
        }
    }

    /** The shape of {@code t} as DJL's. */
    static Shape shape(FloatTensor t) {
        return new Shape(Arrays.stream(t.shape()).asLongStream().toArray());
    }

    /** The shape of {@code a} as ints. */
    static int[] shape(NDArray a) {
        return Arrays.stream(a.getShape().getShape()).mapToInt(Math::toIntExact).toArray();
    }
}
