package prunekit.recover;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The golden container that {@code cuda-kernels/test/golden.c} reads: magic "PKGOLD1\0", u32 count,
 * then per entry u32 name length, the UTF-8 name, u32 dtype (0 = f32, 1 = i32), u32 rank, u32 dims,
 * the little-endian values. Entries keep insertion order, so the same values give the same bytes.
 */
final class NativeGoldenFile {
    static final byte[] MAGIC = "PKGOLD1\0".getBytes(StandardCharsets.US_ASCII);

    private record Entry(int dtype, int[] dims, float[] f, int[] i) {
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    void f32(String name, float[] values, int... dims) {
        check(name, values.length, dims);
        entries.put(name, new Entry(0, dims, values.clone(), null));
    }

    void i32(String name, int[] values, int... dims) {
        check(name, values.length, dims);
        entries.put(name, new Entry(1, dims, null, values.clone()));
    }

    private void check(String name, int n, int[] dims) {
        long size = 1;
        for (int d : dims) {
            size *= d;
        }
        if (size != n || entries.containsKey(name)) {
            throw new IllegalArgumentException("golden entry " + name + ": " + n + " values for dims "
                    + java.util.Arrays.toString(dims) + (entries.containsKey(name) ? " (written twice)" : ""));
        }
    }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        out.writeBytes(u32(entries.size()));
        try {
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
                Entry v = e.getValue();
                out.write(u32(name.length));
                out.write(name);
                out.write(u32(v.dtype()));
                out.write(u32(v.dims().length));
                for (int d : v.dims()) {
                    out.write(u32(d));
                }
                int n = v.f() != null ? v.f().length : v.i().length;
                ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
                if (v.f() != null) {
                    b.asFloatBuffer().put(v.f());
                } else {
                    b.asIntBuffer().put(v.i());
                }
                out.write(b.array());
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    /** The f32 values of {@code name} in a container written by {@link #bytes()}, or null when absent. */
    static float[] readF32(byte[] file, String name) {
        ByteBuffer b = find(file, name, 0);
        if (b == null) {
            return null;
        }
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    /** The i32 values of {@code name}, or null when absent. */
    static int[] readI32(byte[] file, String name) {
        ByteBuffer b = find(file, name, 1);
        if (b == null) {
            return null;
        }
        int[] out = new int[b.remaining() / 4];
        b.asIntBuffer().get(out);
        return out;
    }

    /** The values of entry {@code name} of {@code dtype} as a little-endian slice, or null. */
    private static ByteBuffer find(byte[] file, String name, int dtype) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        b.position(MAGIC.length);
        int count = b.getInt();
        for (int k = 0; k < count; k++) {
            byte[] nm = new byte[b.getInt()];
            b.get(nm);
            int type = b.getInt();
            int rank = b.getInt();
            long n = 1;
            for (int r = 0; r < rank; r++) {
                n *= b.getInt();
            }
            if (new String(nm, StandardCharsets.UTF_8).equals(name) && type == dtype) {
                return b.slice(b.position(), (int) (4 * n)).order(ByteOrder.LITTLE_ENDIAN);
            }
            b.position(b.position() + (int) (4 * n));
        }
        return null;
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }
}
