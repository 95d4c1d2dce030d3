package prunekit.core.io;

/**
 * Conversions between fp32 and the two 16-bit float formats, done in Java because DJL's PyTorch
 * binding cannot hold bf16 tensors. fp32 → 16 bit rounds to nearest, ties to even; NaN stays NaN.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    public static float bf16ToF32(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    public static short f32ToBf16(float f) {
        int x = Float.floatToRawIntBits(f);
        if ((x & 0x7fffffff) > 0x7f800000) {
            return (short) ((x >>> 16) | 0x40); // quiet NaN
        }
        int rounding = 0x7fff + ((x >>> 16) & 1);
        return (short) ((x + rounding) >>> 16);
    }

    public static float f16ToF32(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant * 0x1p-24f; // subnormal: mant * 2^-24
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    public static short f32ToF16(float f) {
        int x = Float.floatToRawIntBits(f);
        int sign = (x >>> 16) & 0x8000;
        int abs = x & 0x7fffffff;
        if (abs > 0x7f800000) {
            return (short) (sign | 0x7e00); // NaN
        }
        if (abs >= 0x477ff000) { // rounds to >= 65520: infinity
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x38800000) { // below the smallest normal half (2^-14): subnormal or zero
            float a = Float.intBitsToFloat(abs);
            int m = Math.round(a * 0x1p24f); // Math.round is half-up; fix ties to even below
            float exact = a * 0x1p24f;
            if (exact - Math.floor(exact) == 0.5 && (m & 1) == 1) {
                m -= 1;
            }
            return (short) (sign | m);
        }
        int exp = ((abs >>> 23) - 112) << 10;
        int mant = abs & 0x7fffff;
        int half = exp | (mant >>> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) (sign | half);
    }
}
