package prunekit.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import prunekit.core.SharedFiles;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;
import prunekit.core.tokenize.SentencePieceBpe;

/** GGUF written by {@link GgufWriter} and read back by {@link GgufReader}: same weights, config and vocabulary. */
class GgufWriterTest {
    @TempDir
    Path dir;

    @Test
    void storiesRoundTripsExactlyInF32() throws IOException {
        Model m = GgufReader.read(SharedFiles.project("models/stories260K.gguf"));
        Path out = dir.resolve("stories.gguf");
        GgufWriter.Result r = GgufWriter.write(m, out, GgufWriter.Options.of(GgmlType.F32, "stories260K"));
        assertEquals(Files.size(out), r.bytes());
        Model back = GgufReader.read(out);
        assertEquals(m.config(), back.config());
        m.weights().tensors().forEach((k, v) -> IoTestData.assertBitwiseEqual(v, back.weights().get(k), k));
        SentencePieceBpe a = (SentencePieceBpe) m.tokenizer();
        SentencePieceBpe b = (SentencePieceBpe) back.tokenizer();
        for (int i = 0; i < a.vocabSize(); i++) {
            assertEquals(a.piece(i), b.piece(i));
            assertEquals(a.score(i), b.score(i));
            assertEquals(a.type(i), b.type(i));
        }
        GgufFile g = GgufFile.open(out);
        assertEquals(3, g.version());
        assertEquals("llama", g.getString("general.architecture"));
        assertEquals(4, g.getInt("llama.attention.head_count_kv"));
        assertEquals("260K", g.getString("general.size_label"));
        assertTrue(g.getBoolean("tokenizer.ggml.add_bos_token"));
    }

    /** mini-vina's HF tokenizer.json becomes a SentencePiece vocabulary that encodes text as the HF tokenizer does. */
    @Test
    void miniVinaRoundTripsWithItsTokenizer() {
        Model m = HfCheckpoint.read(SharedFiles.project("models/mini-vina"));
        Path out = dir.resolve("mini-vina.gguf");
        GgufWriter.write(m, out, GgufWriter.Options.of(GgmlType.F32, "mini-vina"));
        Model back = GgufReader.read(out);
        assertEquals(m.config(), back.config());
        m.weights().tensors().forEach((k, v) -> IoTestData.assertBitwiseEqual(v, back.weights().get(k), k));
        for (String text : List.of("Việt Nam là một quốc gia nằm ở phía đông bán đảo Đông Dương.",
                "Điều 1. Phạm vi điều chỉnh: Bộ luật này quy định   địa vị pháp lý 2024 ☃ ")) {
            assertArrayEquals(m.tokenizer().encode(text), back.tokenizer().encode(text), text);
        }
    }

    /**
     * Per-layer head counts and FFN widths are written as arrays under llama.cpp's 'deci' architecture
     * (its 'llama' loader sizes every layer like layer 0) and read back into the same shapes.
     */
    @Test
    void adaptiveShapesRoundTrip() {
        LlamaConfig c = LlamaConfig.builder().vocabSize(512).hidden(64).headDim(8)
                .layers(List.of(new LayerShape(8, 4, 172), new LayerShape(4, 2, 96), new LayerShape(6, 3, 40)))
                .tieWordEmbeddings(true).build();
        Model stories = GgufReader.read(SharedFiles.project("models/stories260K.gguf"));
        Model m = new Model(c, IoTestData.randomWeights(c, DType.F32, 7), stories.tokenizer(), "random");
        Path out = dir.resolve("adaptive.gguf");
        GgufWriter.write(m, out, GgufWriter.Options.of(GgmlType.F32, "adaptive"));
        GgufFile g = GgufFile.open(out);
        assertEquals("deci", g.getString("general.architecture"));
        assertArrayEquals(new int[] {8, 4, 6}, g.getIntArray("deci.attention.head_count"));
        assertArrayEquals(new int[] {4, 2, 3}, g.getIntArray("deci.attention.head_count_kv"));
        assertArrayEquals(new int[] {172, 96, 40}, g.getIntArray("deci.feed_forward_length"));
        Model back = GgufReader.read(out);
        assertEquals(c, back.config());
        m.weights().tensors().forEach((k, v) -> IoTestData.assertBitwiseEqual(v, back.weights().get(k), k));
    }

    /** F16/BF16 round to nearest even; Q8_0 matches ggml's reference quantizer, re-derived here in double. */
    @ParameterizedTest
    @EnumSource(GgmlType.class)
    void eachTypeReadsBackAsItsEncoding(GgmlType type) {
        Model m = GgufReader.read(SharedFiles.project("models/stories260K.gguf"));
        Path out = dir.resolve(type + ".gguf");
        GgufWriter.Result r = GgufWriter.write(m, out, GgufWriter.Options.of(type, "t"));
        Model back = GgufReader.read(out);
        FloatTensor q = m.weights().get(TensorNames.weight(1, Proj.V)); // (32, 64): rows of whole blocks
        FloatTensor expected = switch (type) {
            case F32 -> q;
            case F16 -> IoTestData.representable(q, DType.F16);
            case BF16 -> IoTestData.representable(q, DType.BF16);
            case Q8_0 -> q8Reference(q);
        };
        IoTestData.assertBitwiseEqual(expected, back.weights().get(TensorNames.weight(1, Proj.V)), type + " v_proj");
        // norms stay F32; FFN down (rows of 172 values) cannot be Q8_0 blocks and falls back to F16
        GgufFile g = GgufFile.open(out);
        assertEquals(GgmlType.F32.code, g.tensor("blk.0.attn_norm.weight").typeCode());
        assertEquals(type == GgmlType.Q8_0 ? GgmlType.F16.code : type.code, g.tensor("blk.0.ffn_down.weight").typeCode());
        assertTrue(r.tensorTypes().containsKey(type));
    }

    /** quantize_row_q8_0_ref by hand: halves round away from zero, the scale is f16(amax / 127). */
    @Test
    void q8BlockByHand() {
        float[] x = new float[32];
        x[0] = 127f;   // amax: d = 1, id = 1
        x[1] = 2.5f;   // → 3
        x[2] = -2.5f;  // → -3 (Java's Math.round would give -2)
        x[3] = 0.49999997f; // → 0 (floorf(x + 0.5f) in float would give 1)
        x[4] = -127f;
        ByteBuffer b = ByteBuffer.allocate(34).order(ByteOrder.LITTLE_ENDIAN);
        GgmlType.Q8_0.encode(x, 0, x.length, b);
        assertEquals(HalfFloats.f32ToF16(1f), b.getShort(0));
        assertArrayEquals(new byte[] {127, 3, -3, 0, -127, 0}, java.util.Arrays.copyOfRange(b.array(), 2, 8));
        ByteBuffer zero = ByteBuffer.allocate(34);
        GgmlType.Q8_0.encode(new float[32], 0, 32, zero);
        assertTrue(Stream.iterate(0, i -> i + 1).limit(34).allMatch(i -> zero.get(i) == 0), "an all-zero block is all zero bytes");
    }

    /** Layers without attention, or without any block ('deci': counts 0, no tensors), read back. */
    @Test
    void layersWithoutABlockRoundTrip() {
        LlamaConfig c = LlamaConfig.builder().vocabSize(512).hidden(64).headDim(8).tieWordEmbeddings(true)
                .layers(List.of(new LayerShape(8, 4, 172), new LayerShape(0, 0, 96), new LayerShape(0, 0, 0))).build();
        Model stories = GgufReader.read(SharedFiles.project("models/stories260K.gguf"));
        Model m = new Model(c, IoTestData.randomWeights(c, DType.F32, 3), stories.tokenizer(), "random");
        Path out = dir.resolve("blocks.gguf");
        GgufWriter.write(m, out, GgufWriter.Options.of(GgmlType.F32, "blocks"));
        GgufFile g = GgufFile.open(out);
        assertEquals("deci", g.getString("general.architecture"));
        assertFalse(g.hasTensor("blk.1.attn_norm.weight") || g.hasTensor("blk.1.attn_q.weight"));
        assertFalse(g.hasTensor("blk.2.attn_norm.weight") || g.hasTensor("blk.2.ffn_norm.weight")
                || g.hasTensor("blk.2.ffn_gate.weight"));
        Model back = GgufReader.read(out);
        assertEquals(c, back.config());
        m.weights().tensors().forEach((k, v) -> {
            boolean unusedNorm = k.equals(TensorNames.inputNorm(1)) || k.equals(TensorNames.inputNorm(2))
                    || k.equals(TensorNames.postAttentionNorm(2));
            if (!unusedNorm) {
                IoTestData.assertBitwiseEqual(v, back.weights().get(k), k);
            }
        });
    }

    /** What llama.cpp cannot run fails before anything is written, in one line saying why. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"bias", "attention without MLP"})
    void unrepresentableModelsFailBeforeWriting(String what) throws IOException {
        LlamaConfig.Builder b = LlamaConfig.builder().vocabSize(512).hidden(64).headDim(8).tieWordEmbeddings(true);
        LlamaConfig c = what.equals("bias") ? b.uniformLayers(2, new LayerShape(8, 4, 172)).attentionBias(true).build()
                : b.layers(List.of(new LayerShape(8, 4, 172), new LayerShape(8, 4, 0))).build();
        Model stories = GgufReader.read(SharedFiles.project("models/stories260K.gguf"));
        Model m = new Model(c, IoTestData.randomWeights(c, DType.F32, 3), stories.tokenizer(), "random");
        Path out = dir.resolve("bad.gguf");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GgufWriter.write(m, out, GgufWriter.Options.of(GgmlType.F16, "bad")));
        assertTrue(e.getMessage().startsWith(what.equals("bias") ? "cannot write GGUF: the model has attention biases"
                : "cannot write GGUF: layer 1 has attention but no MLP"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.toList(), "nothing written, not even a temporary");
        }
    }

    /** Plain double-precision restatement of quantize_row_q8_0_ref followed by dequantization. */
    private static FloatTensor q8Reference(FloatTensor t) {
        float[] x = t.data();
        float[] out = new float[x.length];
        for (int base = 0; base < x.length; base += 32) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[base + j]));
            }
            float d = amax / 127f;
            float id = d == 0 ? 0 : 1f / d;
            float dh = HalfFloats.f16ToF32(HalfFloats.f32ToF16(d));
            for (int j = 0; j < 32; j++) {
                double v = (double) (x[base + j] * id);
                long q = v < 0 ? -Math.round(-v) : Math.round(v); // half away from zero (|v| < 2^52: exact)
                out[base + j] = dh * q;
            }
        }
        return new FloatTensor(t.shape(), out);
    }
}
