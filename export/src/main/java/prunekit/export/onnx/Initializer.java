package prunekit.export.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Supplier;
import prunekit.core.io.HalfFloats;

/**
 * A named constant tensor of the graph (a weight, a RoPE table, a shape constant). Its bytes are
 * produced only when written, in chunks, so a writer holds one weight in memory at a time:
 * {@code data} is called once per write and may build the values on demand (e.g. a transposed
 * copy of a weight, or synthetic random values). Bytes are little-endian, as ONNX requires.
 */
public final class Initializer {
    /** Receives the encoded bytes in order, one chunk at a time. */
    @FunctionalInterface
    public interface ByteSink {
        void write(ByteBuffer chunk) throws IOException;
    }

    private static final int CHUNK = 1 << 20;

    private final String name;
    private final DataType type;
    private final long[] dims;
    private final Supplier<float[]> floats;
    private final long[] longs;

    private Initializer(String name, DataType type, long[] dims, Supplier<float[]> floats, long[] longs) {
        this.name = name;
        this.type = type;
        this.dims = dims.clone();
        this.floats = floats;
        this.longs = longs;
        if (numel() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor " + name + " " + Arrays.toString(dims)
                    + " has more than 2^31 elements; split it");
        }
    }

    /**
     * Float values stored as {@code type} (FLOAT or FLOAT16); {@code data} returns the row-major
     * values of shape {@code dims} when the tensor is written.
     */
    public static Initializer ofFloats(String name, DataType type, long[] dims, Supplier<float[]> data) {
        if (type != DataType.FLOAT && type != DataType.FLOAT16) {
            throw new IllegalArgumentException("float data can be stored as FLOAT or FLOAT16, not " + type);
        }
        return new Initializer(name, type, dims, data, null);
    }

    /** A small fp32 constant. */
    public static Initializer ofFloats(String name, long[] dims, float... values) {
        float[] copy = values.clone();
        return ofFloats(name, DataType.FLOAT, dims, () -> copy);
    }

    /** A small int64 (or int32, when {@code type} says so) constant. */
    public static Initializer ofInts(String name, DataType type, long[] dims, long... values) {
        if (type != DataType.INT64 && type != DataType.INT32) {
            throw new IllegalArgumentException("integer data can be stored as INT64 or INT32, not " + type);
        }
        return new Initializer(name, type, dims, null, values.clone());
    }

    public String name() {
        return name;
    }

    public DataType type() {
        return type;
    }

    public long[] dims() {
        return dims.clone();
    }

    public long numel() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    public long byteLength() {
        return numel() * type.bytes;
    }

    /** Encodes the values and hands them to {@code sink} in chunks of at most 1 MiB. */
    public void writeTo(ByteSink sink) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        if (longs != null) {
            check(longs.length);
            for (long v : longs) {
                if (buf.remaining() < 8) {
                    flush(buf, sink);
                }
                if (type == DataType.INT64) {
                    buf.putLong(v);
                } else {
                    buf.putInt(Math.toIntExact(v));
                }
            }
        } else {
            float[] values = floats.get();
            check(values.length);
            int perChunk = CHUNK / type.bytes;
            for (int off = 0; off < values.length; off += perChunk) {
                int n = Math.min(perChunk, values.length - off);
                if (type == DataType.FLOAT) {
                    buf.asFloatBuffer().put(values, off, n);
                    buf.position(4 * n);
                } else {
                    for (int i = 0; i < n; i++) {
                        buf.putShort(HalfFloats.f32ToF16(values[off + i]));
                    }
                }
                flush(buf, sink);
            }
        }
        flush(buf, sink);
    }

    private void check(int produced) {
        if (produced != numel()) {
            throw new IllegalStateException("tensor " + name + " " + Arrays.toString(dims) + " needs " + numel()
                    + " values but its source produced " + produced);
        }
    }

    private static void flush(ByteBuffer buf, ByteSink sink) throws IOException {
        buf.flip();
        if (buf.hasRemaining()) {
            sink.write(buf);
        }
        buf.clear();
    }

    @Override
    public String toString() {
        return name + " " + type + Arrays.toString(dims);
    }
}
