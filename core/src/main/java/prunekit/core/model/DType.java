package prunekit.core.model;

/** Element types of stored tensors. In memory everything is fp32. */
public enum DType {
    F32(4), F16(2), BF16(2);

    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** The safetensors / HF name of this dtype. */
    public String safetensorsName() {
        return name();
    }

    public String torchName() {
        return switch (this) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
        };
    }

    public static DType parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "f32", "fp32", "float32" -> F32;
            case "f16", "fp16", "float16" -> F16;
            case "bf16", "bfloat16" -> BF16;
            default -> throw new IllegalArgumentException("unknown dtype '" + s + "': use f32, f16 or bf16");
        };
    }
}
