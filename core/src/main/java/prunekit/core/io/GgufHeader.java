package prunekit.core.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The header of a GGUF v3 file being written: typed metadata in insertion order, then tensor infos,
 * serialized little-endian in the layout {@link GgufFile} reads (magic, version, tensor count,
 * metadata count, key/type/value triples, name/n_dims/ne/type/offset infos). Offsets are relative
 * to the data section, which starts at the header's length rounded up to {@link #ALIGNMENT}.
 */
final class GgufHeader {
    static final int VERSION = 3;
    static final int ALIGNMENT = 32;
    private static final byte[] MAGIC = "GGUF".getBytes(StandardCharsets.US_ASCII);

    private final Out kv = new Out();
    private final Out infos = new Out();
    private final Set<String> keys = new LinkedHashSet<>();
    private long tensorCount;

    GgufHeader putString(String key, String v) {
        key(key, GgufValues.STRING).string(v);
        return this;
    }

    GgufHeader putU32(String key, long v) {
        if (v < 0 || v > 0xFFFFFFFFL) {
            throw new IllegalArgumentException(key + " = " + v + " does not fit a uint32");
        }
        key(key, GgufValues.UINT32).i32((int) v);
        return this;
    }

    GgufHeader putF32(String key, double v) {
        key(key, GgufValues.FLOAT32).f32((float) v);
        return this;
    }

    GgufHeader putBool(String key, boolean v) {
        key(key, GgufValues.BOOL).u8(v ? 1 : 0);
        return this;
    }

    GgufHeader putStrings(String key, List<String> v) {
        Out o = key(key, GgufValues.ARRAY).i32(GgufValues.STRING).i64(v.size());
        v.forEach(o::string);
        return this;
    }

    GgufHeader putF32s(String key, float[] v) {
        Out o = key(key, GgufValues.ARRAY).i32(GgufValues.FLOAT32).i64(v.length);
        for (float x : v) {
            o.f32(x);
        }
        return this;
    }

    /** An int32 array (llama.cpp's per-layer hyper-parameters and token types are read as int32). */
    GgufHeader putI32s(String key, int[] v) {
        Out o = key(key, GgufValues.ARRAY).i32(GgufValues.INT32).i64(v.length);
        for (int x : v) {
            o.i32(x);
        }
        return this;
    }

    /** A tensor info: {@code ne} with the contiguous dimension first, offset from the data section. */
    GgufHeader tensor(String name, long[] ne, GgmlType type, long offset) {
        if (offset % ALIGNMENT != 0) {
            throw new IllegalArgumentException("tensor " + name + " at offset " + offset + " is not aligned");
        }
        infos.string(name).i32(ne.length);
        for (long d : ne) {
            infos.i64(d);
        }
        infos.i32(type.code).i64(offset);
        tensorCount++;
        return this;
    }

    /** The whole header, zero-padded to the alignment: tensor data starts right after it. */
    byte[] toBytes() {
        Out o = new Out();
        o.raw(MAGIC).i32(VERSION).i64(tensorCount).i64(keys.size());
        o.raw(kv.bytes()).raw(infos.bytes());
        int pad = (int) (padded(o.size()) - o.size());
        o.raw(new byte[pad]);
        return o.bytes();
    }

    static long padded(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private Out key(String key, int type) {
        if (!keys.add(key)) {
            throw new IllegalArgumentException("metadata key " + key + " written twice");
        }
        return kv.string(key).i32(type);
    }

    /** A little-endian byte sink. */
    private static final class Out {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        Out u8(int v) {
            b.write(v);
            return this;
        }

        Out i32(int v) {
            b.write(scratch.clear().putInt(v).array(), 0, 4);
            return this;
        }

        Out i64(long v) {
            b.write(scratch.clear().putLong(v).array(), 0, 8);
            return this;
        }

        Out f32(float v) {
            return i32(Float.floatToRawIntBits(v));
        }

        Out string(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            return i64(u.length).raw(u);
        }

        Out raw(byte[] bytes) {
            b.write(bytes, 0, bytes.length);
            return this;
        }

        int size() {
            return b.size();
        }

        byte[] bytes() {
            return b.toByteArray();
        }
    }
}
