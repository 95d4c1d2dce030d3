package prunekit.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import prunekit.core.TestModels;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;

/** Tensors and weights whose values are exactly representable in a dtype, and raw safetensors bytes. */
final class IoTestData {
    private IoTestData() {
    }

    static float roundTo(float x, DType d) {
        return switch (d) {
            case F32 -> x;
            case F16 -> HalfFloats.f16ToF32(HalfFloats.f32ToF16(x));
            case BF16 -> HalfFloats.bf16ToF32(HalfFloats.f32ToBf16(x));
        };
    }

    static FloatTensor representable(FloatTensor t, DType d) {
        float[] out = t.data().clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = roundTo(out[i], d);
        }
        return new FloatTensor(t.shape(), out);
    }

    /** Gaussian values (fixed seed) rounded to {@code d}. */
    static FloatTensor randomTensor(Random r, DType d, int... shape) {
        FloatTensor t = FloatTensor.zeros(shape);
        for (int i = 0; i < t.data().length; i++) {
            t.data()[i] = roundTo((float) r.nextGaussian(), d);
        }
        return t;
    }

    /** Random weights for {@code config} rounded to {@code d}, with stored dtype {@code d}. */
    static LlamaWeights randomWeights(LlamaConfig config, DType d, long seed) {
        LlamaWeights w = TestModels.random(config, seed, 0.05);
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        w.tensors().forEach((k, v) -> m.put(k, representable(v, d)));
        return new LlamaWeights(config, m, d);
    }

    /** A safetensors file with this header text (unpadded) and {@code dataBytes} zero bytes of data. */
    static Path rawSafetensors(Path file, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Files.write(file, b.array());
        return file;
    }

    static void assertBitwiseEqual(FloatTensor expected, FloatTensor actual, String what) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        float[] a = expected.data();
        float[] b = actual.data();
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                org.junit.jupiter.api.Assertions.fail(what + ": element " + i + " is " + b[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(b[i])) + ") but expected " + a[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(a[i])) + ")");
            }
        }
    }
}
