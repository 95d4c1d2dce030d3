package prunekit.core.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import prunekit.core.model.FloatTensor;

/**
 * Writes small GGUF files for tests, independently of {@link GgufFile}: typed metadata (every value
 * type, arrays and arrays of arrays) and tensors with raw data bytes of any ggml type code.
 */
final class GgufTestWriter {
    /** An array value: element type code and items (Long/Float/Double/Boolean/String or nested Arr). */
    record Arr(int elemType, List<?> items) {
    }

    private record Kv(String key, int type, Object value) {
    }

    private record Tensor(String name, long[] ne, int type, byte[] data) {
    }

    private final int version;
    private int alignment = 32;
    private final List<Kv> kvs = new ArrayList<>();
    private final List<Tensor> tensors = new ArrayList<>();

    GgufTestWriter(int version) {
        this.version = version;
    }

    GgufTestWriter alignment(int a) {
        alignment = a;
        return kv("general.alignment", GgufValues.UINT32, (long) a);
    }

    GgufTestWriter kv(String key, int type, Object value) {
        kvs.add(new Kv(key, type, value));
        return this;
    }

    GgufTestWriter u32(String key, long v) {
        return kv(key, GgufValues.UINT32, v);
    }

    GgufTestWriter f32(String key, float v) {
        return kv(key, GgufValues.FLOAT32, v);
    }

    GgufTestWriter str(String key, String v) {
        return kv(key, GgufValues.STRING, v);
    }

    GgufTestWriter strings(String key, List<String> v) {
        return kv(key, GgufValues.ARRAY, new Arr(GgufValues.STRING, v));
    }

    GgufTestWriter floats(String key, float[] v) {
        List<Float> l = new ArrayList<>();
        for (float f : v) {
            l.add(f);
        }
        return kv(key, GgufValues.ARRAY, new Arr(GgufValues.FLOAT32, l));
    }

    GgufTestWriter ints(String key, int[] v) {
        List<Long> l = new ArrayList<>();
        for (int i : v) {
            l.add((long) i);
        }
        return kv(key, GgufValues.ARRAY, new Arr(GgufValues.INT32, l));
    }

    /** A tensor with raw data; {@code ne} in ggml order (ne[0] contiguous). */
    GgufTestWriter tensor(String name, int type, long[] ne, byte[] data) {
        tensors.add(new Tensor(name, ne.clone(), type, data.clone()));
        return this;
    }

    /** An F32 tensor from a row-major FloatTensor (ne = shape reversed). */
    GgufTestWriter tensor(String name, FloatTensor t) {
        int[] s = t.shape();
        long[] ne = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            ne[i] = s[s.length - 1 - i];
        }
        ByteBuffer b = ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : t.data()) {
            b.putFloat(f);
        }
        return tensor(name, 0, ne, b.array());
    }

    byte[] bytes() {
        Out o = new Out();
        o.raw("GGUF".getBytes(StandardCharsets.US_ASCII));
        o.u32(version);
        o.u64(tensors.size());
        o.u64(kvs.size());
        for (Kv kv : kvs) {
            o.str(kv.key());
            o.u32(kv.type());
            o.value(kv.type(), kv.value());
        }
        long offset = 0;
        List<Long> offsets = new ArrayList<>();
        for (Tensor t : tensors) {
            o.str(t.name());
            o.u32(t.ne().length);
            for (long d : t.ne()) {
                o.u64(d);
            }
            o.u32(t.type());
            o.u64(offset);
            offsets.add(offset);
            offset = align(offset + t.data().length);
        }
        o.pad(align(o.size()) - o.size());
        long start = o.size();
        for (int i = 0; i < tensors.size(); i++) {
            o.pad(start + offsets.get(i) - o.size());
            o.raw(tensors.get(i).data());
        }
        return o.toByteArray();
    }

    Path write(Path file) {
        try {
            Files.write(file, bytes());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long align(long x) {
        return (x + alignment - 1) / alignment * alignment;
    }

    /** Little-endian output. */
    private static final class Out extends ByteArrayOutputStream {
        void raw(byte[] b) {
            write(b, 0, b.length);
        }

        void le(long v, int bytes) {
            for (int i = 0; i < bytes; i++) {
                write((int) (v >>> (8 * i)) & 0xff);
            }
        }

        void u32(long v) {
            le(v, 4);
        }

        void u64(long v) {
            le(v, 8);
        }

        void pad(long n) {
            for (long i = 0; i < n; i++) {
                write(0);
            }
        }

        void str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            raw(b);
        }

        void value(int type, Object v) {
            switch (type) {
                case GgufValues.UINT8, GgufValues.INT8 -> le((Long) v, 1);
                case GgufValues.UINT16, GgufValues.INT16 -> le((Long) v, 2);
                case GgufValues.UINT32, GgufValues.INT32 -> le((Long) v, 4);
                case GgufValues.UINT64, GgufValues.INT64 -> le((Long) v, 8);
                case GgufValues.FLOAT32 -> le(Float.floatToRawIntBits((Float) v), 4);
                case GgufValues.FLOAT64 -> le(Double.doubleToRawLongBits((Double) v), 8);
                case GgufValues.BOOL -> write((Boolean) v ? 1 : 0);
                case GgufValues.STRING -> str((String) v);
                case GgufValues.ARRAY -> {
                    Arr a = (Arr) v;
                    u32(a.elemType());
                    u64(a.items().size());
                    for (Object item : a.items()) {
                        value(a.elemType(), item);
                    }
                }
                default -> throw new IllegalArgumentException("type " + type);
            }
        }
    }
}
