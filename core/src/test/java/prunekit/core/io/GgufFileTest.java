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
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import prunekit.core.SharedFiles;
import prunekit.core.io.GgufTestWriter.Arr;
import prunekit.core.model.FloatTensor;

/** GGUF parsing: the embedded stories260K file, every metadata type, every tensor type, bad files. */
class GgufFileTest {
    @TempDir
    Path tmp;

    static Path stories() {
        return SharedFiles.project("models/stories260K.gguf");
    }

    @Test
    void readsStories260KHeaderAndMetadata() {
        GgufFile g = GgufFile.open(stories());
        assertEquals(3, g.version());
        assertEquals(48, g.tensors().size());
        assertEquals(0, g.dataStart() % 32);
        assertEquals("llama", g.getString("general.architecture"));
        assertEquals(5, g.getInt("llama.block_count"));
        assertEquals(1e-5, g.getDouble("llama.attention.layer_norm_rms_epsilon")); // float32 read as its decimal
        List<String> tokens = g.getStringList("tokenizer.ggml.tokens");
        assertEquals(512, tokens.size());
        assertEquals("<unk>", tokens.get(0));
        assertEquals(6, g.getIntArray("tokenizer.ggml.token_type")[3]); // <0x00> is a byte piece
        assertEquals(4294967295L, g.getLong("tokenizer.ggml.padding_token_id")); // uint32 kept unsigned
        GgufTensorInfo emb = g.tensor("token_embd.weight");
        assertArrayEquals(new long[] {64, 512}, emb.ne());
        assertArrayEquals(new int[] {512, 64}, emb.shape());
        assertEquals("F32 (0)", emb.typeName());
        FloatTensor t = g.read("blk.0.attn_k.weight");
        assertArrayEquals(new int[] {32, 64}, t.shape());
        FormatException e = assertThrows(FormatException.class, () -> g.getString("llama.block_count"));
        assertTrue(e.getMessage().contains("llama.block_count") && e.getMessage().contains("expected a string"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void roundTripsEveryMetadataTypeAndAlignment(int version) {
        Path f = new GgufTestWriter(version).alignment(64)
                .kv("u8", GgufValues.UINT8, 250L).kv("i8", GgufValues.INT8, -5L)
                .kv("u16", GgufValues.UINT16, 65000L).kv("i16", GgufValues.INT16, -30000L)
                .kv("u32", GgufValues.UINT32, 4000000000L).kv("i32", GgufValues.INT32, -2000000000L)
                .kv("u64", GgufValues.UINT64, -1L).kv("i64", GgufValues.INT64, Long.MIN_VALUE)
                .kv("f32", GgufValues.FLOAT32, 0.1f).kv("f64", GgufValues.FLOAT64, Math.PI)
                .kv("yes", GgufValues.BOOL, true).kv("no", GgufValues.BOOL, false)
                .kv("s", GgufValues.STRING, "Xin chào 🙂")
                .kv("a.u8", GgufValues.ARRAY, new Arr(GgufValues.UINT8, List.of(1L, 255L)))
                .kv("a.i64", GgufValues.ARRAY, new Arr(GgufValues.INT64, List.of(-7L, 7L)))
                .kv("a.f64", GgufValues.ARRAY, new Arr(GgufValues.FLOAT64, List.of(0.5, -2.0)))
                .kv("a.bool", GgufValues.ARRAY, new Arr(GgufValues.BOOL, List.of(true, false)))
                .kv("a.nested", GgufValues.ARRAY, new Arr(GgufValues.ARRAY, List.of(
                        new Arr(GgufValues.STRING, List.of("x", "y")), new Arr(GgufValues.INT32, List.of(3L)))))
                .floats("a.f32", new float[] {1.5f, -0.25f})
                .tensor("t", new FloatTensor(new int[] {2, 3}, new float[] {0, 1, 2, 3, 4, 5}))
                .write(tmp.resolve("all.gguf"));
        GgufFile g = GgufFile.open(f);
        assertEquals(version, g.version());
        assertEquals(0, g.dataStart() % 64);
        assertEquals(250, g.getInt("u8"));
        assertEquals(-5, g.getInt("i8"));
        assertEquals(65000, g.getInt("u16"));
        assertEquals(-30000, g.getInt("i16"));
        assertEquals(4000000000L, g.getLong("u32"));
        assertEquals(-2000000000, g.getInt("i32"));
        assertEquals(-1L, g.getLong("u64"));
        assertEquals(Long.MIN_VALUE, g.getLong("i64"));
        assertEquals(0.1, g.getDouble("f32"));
        assertEquals(Math.PI, g.getDouble("f64"));
        assertTrue(g.getBoolean("yes"));
        assertFalse(g.getBoolean("no"));
        assertEquals("Xin chào 🙂", g.getString("s"));
        assertArrayEquals(new int[] {1, 255}, g.getIntArray("a.u8"));
        assertArrayEquals(new int[] {-7, 7}, g.getIntArray("a.i64"));
        assertArrayEquals(new float[] {0.5f, -2f}, g.getFloatArray("a.f64"));
        assertArrayEquals(new boolean[] {true, false}, (boolean[]) g.get("a.bool"));
        List<?> nested = (List<?>) g.get("a.nested");
        assertEquals(List.of("x", "y"), nested.get(0));
        assertArrayEquals(new long[] {3}, (long[]) nested.get(1));
        assertArrayEquals(new float[] {1.5f, -0.25f}, g.getFloatArray("a.f32"));
        FormatException e = assertThrows(FormatException.class, () -> g.getInt("u32"));
        assertTrue(e.getMessage().contains("does not fit an int"));
        // ne = (3, 2): a (2, 3) matrix, row-major data as written
        assertEquals(new FloatTensor(new int[] {2, 3}, new float[] {0, 1, 2, 3, 4, 5}), g.read("t"));
    }

    @Test
    void convertsF16Bf16AndQ8_0() {
        Random r = new Random(7);
        int n = 64; // two Q8_0 blocks per row
        float[] values = new float[2 * n];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) r.nextGaussian();
        }
        ByteBuffer f16 = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer bf16 = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        float[] f16Ref = new float[values.length];
        float[] bf16Ref = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            short h = HalfFloats.f32ToF16(values[i]);
            short b = HalfFloats.f32ToBf16(values[i]);
            f16.putShort(h);
            bf16.putShort(b);
            f16Ref[i] = HalfFloats.f16ToF32(h);
            bf16Ref[i] = HalfFloats.bf16ToF32(b);
        }
        // Q8_0 block: f16 scale d, 32 int8 q; value = d * q
        int blocks = values.length / 32;
        ByteBuffer q8 = ByteBuffer.allocate(34 * blocks).order(ByteOrder.LITTLE_ENDIAN);
        float[] q8Ref = new float[values.length];
        for (int b = 0; b < blocks; b++) {
            short d = HalfFloats.f32ToF16((float) (0.01 + r.nextDouble() * 0.05));
            q8.putShort(d);
            for (int j = 0; j < 32; j++) {
                byte q = (byte) (r.nextInt(256) - 128);
                q8.put(q);
                q8Ref[b * 32 + j] = (float) ((double) HalfFloats.f16ToF32(d) * q);
            }
        }
        long[] ne = {n, 2};
        Path f = new GgufTestWriter(3).tensor("h", 1, ne, f16.array()).tensor("b", 30, ne, bf16.array())
                .tensor("q", 8, ne, q8.array()).write(tmp.resolve("types.gguf"));
        GgufFile g = GgufFile.open(f);
        assertEquals(new FloatTensor(new int[] {2, n}, f16Ref), g.read("h"));
        assertEquals(new FloatTensor(new int[] {2, n}, bf16Ref), g.read("b"));
        assertEquals(new FloatTensor(new int[] {2, n}, q8Ref), g.read("q"));
    }

    @Test
    void rejectsBadMagic() throws IOException {
        byte[] b = Files.readAllBytes(stories());
        b[0] = 'X';
        Path f = Files.write(tmp.resolve("magic.gguf"), b);
        assertProblem(f, "not a GGUF file (magic \"XGUF\"", () -> GgufFile.open(f));
    }

    @Test
    void rejectsUnsupportedVersion() throws IOException {
        byte[] b = Files.readAllBytes(stories());
        b[4] = 1;
        Path f = Files.write(tmp.resolve("v1.gguf"), b);
        assertProblem(f, "unsupported GGUF version 1; prunekit reads v2 and v3", () -> GgufFile.open(f));
    }

    @Test
    void rejectsTruncatedTensorData() throws IOException {
        byte[] b = Files.readAllBytes(stories());
        Path f = Files.write(tmp.resolve("cut.gguf"), Arrays.copyOf(b, b.length - 100));
        // the last tensor in the file is blk.4.ffn_norm.weight
        assertProblem(f, "truncated: tensor blk.4.ffn_norm.weight", () -> GgufFile.open(f));
    }

    @Test
    void rejectsTruncatedHeader() throws IOException {
        byte[] b = Files.readAllBytes(stories());
        Path f = Files.write(tmp.resolve("header.gguf"), Arrays.copyOf(b, 5000));
        assertProblem(f, "truncated header", () -> GgufFile.open(f));
    }

    @Test
    void namesTensorOfUnsupportedType() {
        Path f = new GgufTestWriter(3).tensor("blk.0.attn_q.weight", 12, new long[] {256, 1}, new byte[144])
                .write(tmp.resolve("q4k.gguf"));
        GgufFile g = GgufFile.open(f);
        assertProblem(f, "tensor blk.0.attn_q.weight has ggml type Q4_K (12)", () -> g.read("blk.0.attn_q.weight"));
        assertProblem(f, "no tensor nothing", () -> g.read("nothing"));
    }

    @Test
    void rejectsDimsWhoseProductOverflows() {
        long big = Integer.MAX_VALUE; // each dim is in range; their product (~2^124) is not a long
        Path f = new GgufTestWriter(3).tensor("huge", 0, new long[] {big, big, big, big}, new byte[4])
                .write(tmp.resolve("huge.gguf"));
        assertProblem(f, "tensor huge has dims ne = [2147483647, 2147483647, 2147483647, 2147483647]",
                () -> GgufFile.open(f));
    }

    static void assertProblem(Path file, String problem, org.junit.jupiter.api.function.Executable call) {
        FormatException e = assertThrows(FormatException.class, call);
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(problem), "message '" + e.getMessage() + "' lacks '" + problem + "'");
    }
}
