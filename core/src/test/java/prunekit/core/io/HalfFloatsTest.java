package prunekit.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link HalfFloats} against a slow reference: the input divided by the quantum of its binade (the
 * spacing of 16-bit values there), taken exactly into BigDecimal and rounded HALF_EVEN. Inputs cover
 * every 16-bit value, every midpoint between neighbours (the ties), their float neighbours,
 * subnormals, overflow, inf and NaN.
 */
class HalfFloatsTest {

    /** A 16-bit float format: mantissa bits, smallest normal exponent, first overflowing power of two. */
    private enum Format {
        F16(10, -14, 16), BF16(7, -126, 128);

        final int mantBits;
        final int minExp;
        final int overflowExp;

        Format(int mantBits, int minExp, int overflowExp) {
            this.mantBits = mantBits;
            this.minExp = minExp;
            this.overflowExp = overflowExp;
        }

        float decode(short s) {
            return this == F16 ? HalfFloats.f16ToF32(s) : HalfFloats.bf16ToF32(s);
        }

        short encode(float f) {
            return this == F16 ? HalfFloats.f32ToF16(f) : HalfFloats.f32ToBf16(f);
        }

        /** The value of {@code bits} computed from its fields in double. */
        double referenceDecode(int bits) {
            int expBits = this == F16 ? 5 : 8;
            int bias = (1 << (expBits - 1)) - 1;
            int sign = (bits >>> (mantBits + expBits)) & 1;
            int exp = (bits >>> mantBits) & ((1 << expBits) - 1);
            int mant = bits & ((1 << mantBits) - 1);
            double v;
            if (exp == (1 << expBits) - 1) {
                v = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
            } else if (exp == 0) {
                v = Math.scalb((double) mant, 1 - bias - mantBits);
            } else {
                v = Math.scalb((double) ((1 << mantBits) + mant), exp - bias - mantBits);
            }
            return sign == 1 ? -v : v;
        }

        /** Nearest value of this format to {@code x}, ties to even, as a float; overflow gives infinity. */
        float referenceRound(float x) {
            if (Float.isNaN(x) || Float.isInfinite(x)) {
                return x;
            }
            float a = Math.abs(x);
            if (a == 0) {
                return x;
            }
            int e = Math.max(Math.getExponent(a), minExp);
            // a / quantum, exact: scaling a float by a power of two in double loses nothing
            BigDecimal m = new BigDecimal(Math.scalb((double) a, mantBits - e)).setScale(0, RoundingMode.HALF_EVEN);
            double r = Math.scalb(m.doubleValue(), e - mantBits);
            float out = r >= Math.scalb(1.0, overflowExp) ? Float.POSITIVE_INFINITY : (float) r;
            return Math.copySign(out, x);
        }
    }

    @Test
    void decodesEveryBitPatternLikeTheReference() {
        for (Format f : Format.values()) {
            for (int bits = 0; bits < 0x10000; bits++) {
                double expected = f.referenceDecode(bits);
                float got = f.decode((short) bits);
                if (Double.isNaN(expected)) {
                    assertTrue(Float.isNaN(got), f + " " + Integer.toHexString(bits));
                } else {
                    assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(got),
                            f + " 0x" + Integer.toHexString(bits));
                }
            }
        }
    }

    @Test
    void roundsToNearestEvenLikeTheReference() {
        for (Format f : Format.values()) {
            for (float x : inputs(f)) {
                float expected = f.referenceRound(x);
                float got = f.decode(f.encode(x));
                if (Float.isNaN(expected)) {
                    assertTrue(Float.isNaN(got), f + " NaN stays NaN");
                } else {
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(got),
                            () -> f + " rounding " + x + " (0x" + Integer.toHexString(Float.floatToRawIntBits(x))
                                    + "): expected " + expected + " got " + got);
                }
            }
        }
    }

    /** Every finite 16-bit value, the midpoints to its upper neighbour, their float neighbours, random floats. */
    private static List<Float> inputs(Format f) {
        List<Float> xs = new ArrayList<>();
        for (int bits = 0; bits < 0x10000; bits++) {
            float v = f.decode((short) bits);
            float next = f.decode((short) (bits + 1));
            xs.add(v);
            if (Float.isFinite(v) && Float.isFinite(next)) {
                float mid = (float) (((double) v + next) / 2); // exact: one more mantissa bit than the format
                xs.add(mid);
                xs.add(Math.nextUp(mid));
                xs.add(Math.nextDown(mid));
            }
        }
        Random r = new Random(42);
        for (int i = 0; i < 50_000; i++) {
            xs.add(Float.intBitsToFloat(r.nextInt()));
        }
        xs.addAll(List.of(Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL,
                0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 65504f, 65519.996f, 65520f,
                -65520f, 0x1p-24f, 0x1p-25f, 0x1.8p-24f, 0x1p-26f, 0x1.ffcp-15f));
        return xs;
    }

    @ParameterizedTest(name = "f16({0}) = 0x{1}")
    @CsvSource({
        "1.0, 3c00", "-2.0, c000", "65504, 7bff", "65519.99, 7bff", "65520, 7c00", "0x1p-24, 0001",
        "0x1p-25, 0000", "0x1.8p-24, 0002", "0x1.002p0, 3c00", "0x1.006p0, 3c02", "0x1p-14, 0400",
        "Infinity, 7c00", "-Infinity, fc00", "NaN, 7e00"
    })
    void knownF16BitPatterns(String in, String hex) {
        float x = Float.parseFloat(in);
        assertEquals(Integer.parseInt(hex, 16), HalfFloats.f32ToF16(x) & 0xffff);
    }

    @ParameterizedTest(name = "bf16({0}) = 0x{1}")
    @CsvSource({
        "1.0, 3f80", "-2.0, c000", "0x1.01p0, 3f80", "0x1.03p0, 3f82", "0x1.fep127, 7f7f",
        "3.4028235e38, 7f80", "0x1p-133, 0001", "0x1p-134, 0000", "Infinity, 7f80", "-Infinity, ff80"
    })
    void knownBf16BitPatterns(String in, String hex) {
        float x = Float.parseFloat(in);
        assertEquals(Integer.parseInt(hex, 16), HalfFloats.f32ToBf16(x) & 0xffff);
    }

    @Test
    void bf16NanStaysQuietNan() {
        short s = HalfFloats.f32ToBf16(Float.intBitsToFloat(0x7f800001)); // signalling NaN, payload in low bits
        assertTrue(Float.isNaN(HalfFloats.bf16ToF32(s)));
    }
}
