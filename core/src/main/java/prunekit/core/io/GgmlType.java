package prunekit.core.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import prunekit.core.model.DType;

/**
 * The ggml tensor types prunekit reads and writes, with their block layout and conversion from and
 * to fp32: F32, F16, BF16 (one value per element) and Q8_0 (blocks of 32 values: an f16 scale d,
 * then 32 int8 q; value = d · q). Other types are named in errors by {@link #describe}. Safetensors
 * data of a {@link DType} is converted by {@link #of}.
 */
public enum GgmlType {
    F32(0, 1, 4, DType.F32),
    F16(1, 1, 2, DType.F16),
    Q8_0(8, 32, 34, DType.F32),
    BF16(30, 1, 2, DType.BF16);

    /** ggml type names by code (ggml.h, enum ggml_type); gaps are removed types. */
    private static final String[] NAMES = {
        "F32", "F16", "Q4_0", "Q4_1", "Q4_2", "Q4_3", "Q5_0", "Q5_1", "Q8_0", "Q8_1", "Q2_K", "Q3_K", "Q4_K",
        "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS",
        "I8", "I16", "I32", "I64", "F64", "IQ1_M", "BF16", "Q4_0_4_4", "Q4_0_4_8", "Q4_0_8_8", "TQ1_0", "TQ2_0",
        "IQ4_NL_4_4", "IQ4_NL_4_8", "IQ4_NL_8_8", "MXFP4",
    };

    public final int code;
    /** Elements per block. */
    public final int blockSize;
    /** Bytes per block. */
    public final int blockBytes;
    /** The dtype its values are kept as when written back (Q8_0 dequantizes exactly into F32). */
    public final DType storedAs;

    GgmlType(int code, int blockSize, int blockBytes, DType storedAs) {
        this.code = code;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
        this.storedAs = storedAs;
    }

    /** The one-value-per-element type that holds {@code d} (how safetensors data of that dtype is converted). */
    public static GgmlType of(DType d) {
        return switch (d) {
            case F32 -> F32;
            case F16 -> F16;
            case BF16 -> BF16;
        };
    }

    /** The supported type with this code, or null. */
    public static GgmlType fromCode(int code) {
        for (GgmlType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /** "Q4_K (12)" for a known ggml code, "unknown type 99" otherwise. */
    public static String describe(int code) {
        return code >= 0 && code < NAMES.length ? NAMES[code] + " (" + code + ")" : "unknown type " + code;
    }

    /** Bytes of tensor {@code t}; its rows (ne[0]) must be whole blocks. */
    long byteSize(Path file, GgufTensorInfo t) {
        long[] ne = t.ne();
        if (ne[0] % blockSize != 0) {
            throw new FormatException(file, "tensor " + t.name() + " of type " + name() + " has rows of " + ne[0]
                    + " values, not a multiple of the block size " + blockSize);
        }
        return t.numel() / blockSize * blockBytes;
    }

    /** Bytes that {@code numel} values take (whole blocks). */
    public long bytesFor(long numel) {
        if (numel % blockSize != 0) {
            throw new IllegalArgumentException(numel + " values are not whole " + name() + " blocks of " + blockSize);
        }
        return numel / blockSize * blockBytes;
    }

    /**
     * Converts {@code src[off .. off + count)} (whole blocks) into {@code dst} at its position, little-endian. F16/BF16
     * round to nearest even; Q8_0 is ggml's reference quantizer ({@code quantize_row_q8_0_ref}):
     * per block amax = max |x|, d = amax / 127, id = d ≠ 0 ? 1 / d : 0 (all float), the scale stored
     * as f16(d) and q = roundf(x · id), rounding halves away from zero.
     */
    void encode(float[] src, int off, int count, ByteBuffer dst) {
        dst.order(ByteOrder.LITTLE_ENDIAN);
        switch (this) {
            case F32 -> dst.asFloatBuffer().put(src, off, count);
            case F16 -> {
                for (int i = off; i < off + count; i++) {
                    dst.putShort(HalfFloats.f32ToF16(src[i]));
                }
            }
            case BF16 -> {
                for (int i = off; i < off + count; i++) {
                    dst.putShort(HalfFloats.f32ToBf16(src[i]));
                }
            }
            case Q8_0 -> {
                for (int base = off; base < off + count; base += 32) {
                    float amax = 0;
                    for (int j = 0; j < 32; j++) {
                        amax = Math.max(amax, Math.abs(src[base + j]));
                    }
                    float d = amax / 127;
                    float id = d != 0 ? 1.0f / d : 0.0f;
                    dst.putShort(HalfFloats.f32ToF16(d));
                    for (int j = 0; j < 32; j++) {
                        float x = src[base + j] * id; // float product, as in C
                        dst.put((byte) (Math.signum(x) * Math.floor(Math.abs((double) x) + 0.5))); // roundf
                    }
                }
            }
        }
        if (this == F32) {
            dst.position(dst.position() + 4 * count);
        }
    }

    /** Converts {@code count} values (whole blocks) from {@code b} into {@code out[pos..]}. */
    void decode(ByteBuffer b, float[] out, int pos, int count) {
        b.order(ByteOrder.LITTLE_ENDIAN);
        switch (this) {
            case F32 -> b.asFloatBuffer().get(out, pos, count);
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    out[pos + i] = HalfFloats.f16ToF32(b.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    out[pos + i] = HalfFloats.bf16ToF32(b.getShort(2 * i));
                }
            }
            case Q8_0 -> {
                for (int blk = 0; blk < count / 32; blk++) {
                    int base = blk * 34;
                    float d = HalfFloats.f16ToF32(b.getShort(base));
                    for (int j = 0; j < 32; j++) {
                        out[pos + blk * 32 + j] = d * b.get(base + 2 + j);
                    }
                }
            }
        }
    }
}
