package prunekit.core.io;

import java.util.Arrays;

/**
 * One tensor of a GGUF file as its header describes it: name, ggml dims {@code ne} (ne[0] is the
 * contiguous dimension), ggml type code and the offset of its data from the start of the data
 * section. {@link #shape()} is the row-major shape, ne reversed.
 */
public record GgufTensorInfo(String name, long[] ne, int typeCode, long offset) {
    public GgufTensorInfo {
        ne = ne.clone();
    }

    @Override
    public long[] ne() {
        return ne.clone();
    }

    /** Row-major shape: ne reversed, e.g. ne = (in, out) → (out, in). */
    public int[] shape() {
        int[] s = new int[ne.length];
        for (int i = 0; i < ne.length; i++) {
            s[i] = Math.toIntExact(ne[ne.length - 1 - i]);
        }
        return s;
    }

    public long numel() {
        long n = 1;
        for (long d : ne) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** The ggml type's name, e.g. "F32", "Q8_0", "Q4_K", or "type 99" when unknown. */
    public String typeName() {
        return GgmlType.describe(typeCode);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && name.equals(t.name) && Arrays.equals(ne, t.ne)
                && typeCode == t.typeCode && offset == t.offset;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(ne);
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shape()) + " " + typeName() + " @" + offset;
    }
}
