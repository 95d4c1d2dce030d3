package prunekit.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;

/** {@link SafetensorsWriter} then {@link SafetensorsFile}: bitwise round trips, layout, shards. */
class SafetensorsRoundTripTest {
    private static final int[][] SHAPES = {{1}, {3, 5}, {7, 1, 3}, {0, 4}, {}, {13, 17}, {2, 3, 5, 7}, {1031}};

    @TempDir
    Path dir;

    private static Map<String, FloatTensor> tensors(DType d, long seed) {
        Random r = new Random(seed);
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        for (int i = 0; i < SHAPES.length; i++) {
            m.put("t" + (SHAPES.length - i) + ".weight", IoTestData.randomTensor(r, d, SHAPES[i]));
        }
        float[] specials = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0x1p-24f, -65504f, 1e-3f};
        float[] s = new float[specials.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = IoTestData.roundTo(specials[i], d);
        }
        m.put("specials", new FloatTensor(new int[] {2, 4}, s));
        return m;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void roundTripIsBitwiseExact(DType d) throws IOException {
        Map<String, FloatTensor> in = tensors(d, 7);
        Path file = dir.resolve("x.safetensors");
        SafetensorsWriter.write(file, in, d);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(new ArrayList<>(in.keySet()), new ArrayList<>(f.names()), "header keeps the given order");
            assertEquals(Map.of("format", "pt"), f.metadata());
            for (Map.Entry<String, FloatTensor> e : in.entrySet()) {
                assertEquals(d, f.dtype(e.getKey()));
                IoTestData.assertBitwiseEqual(e.getValue(), f.read(e.getKey()), e.getKey());
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(file), s.toList(), "no temporary file is left behind");
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void chunkedMappingReadsTheSame(DType d) {
        Map<String, FloatTensor> in = tensors(d, 10);
        Path file = dir.resolve("c.safetensors");
        SafetensorsWriter.write(file, in, d);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (long chunk : new long[] {1, 6, 64, 1000}) {
                for (Map.Entry<String, FloatTensor> e : in.entrySet()) {
                    IoTestData.assertBitwiseEqual(e.getValue(), f.read(e.getKey(), chunk), e.getKey() + " chunk " + chunk);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void layoutIsPaddedContiguousAndInOrder(DType d) throws IOException {
        Map<String, FloatTensor> in = tensors(d, 8);
        Path file = dir.resolve("y.safetensors");
        SafetensorsWriter.write(file, in, d);
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header is padded to a multiple of 8");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        JsonObject h = JsonParser.parseString(header).getAsJsonObject();
        assertEquals("pt", h.getAsJsonObject("__metadata__").get("format").getAsString());
        assertTrue(header.substring(header.lastIndexOf('}') + 1).chars().allMatch(c -> c == ' '), "padded with spaces");
        long expected = 0;
        for (Map.Entry<String, FloatTensor> e : in.entrySet()) {
            var offs = h.getAsJsonObject(e.getKey()).getAsJsonArray("data_offsets");
            assertEquals(expected, offs.get(0).getAsLong(), e.getKey() + " starts where the previous one ended");
            expected += e.getValue().numel() * d.bytes;
            assertEquals(expected, offs.get(1).getAsLong());
        }
        assertEquals(8 + n + expected, bytes.length);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "BF16"})
    void writerRoundsToNearestEven(DType d) {
        Random r = new Random(3);
        float[] raw = new float[4099];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(6) - 3));
        }
        Path file = dir.resolve("r.safetensors");
        SafetensorsWriter.write(file, Map.of("w", new FloatTensor(new int[] {raw.length}, raw)), d);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            IoTestData.assertBitwiseEqual(IoTestData.representable(new FloatTensor(new int[] {raw.length}, raw), d),
                    f.read("w"), "rounded " + d);
        }
    }

    @Test
    void shardedRoundTrip() {
        DType d = DType.BF16;
        Map<String, FloatTensor> in = tensors(d, 9);
        long max = 600; // bytes: forces several shards; {1031} in BF16 (2062 bytes) gets a shard of its own
        List<Path> shards = SafetensorsWriter.writeSharded(dir, SafetensorsWriter.Tensors.of(in), d, max);
        int n = shards.size();
        assertTrue(n >= 3, "expected several shards, got " + n);
        for (int i = 0; i < n; i++) {
            assertEquals(SafetensorsWriter.shardName(i + 1, n), shards.get(i).getFileName().toString());
        }
        assertEquals("model-00001-of-00003.safetensors", SafetensorsWriter.shardName(1, 3));
        JsonObject index = JsonFields.readObject(dir.resolve(SafetensorsWriter.INDEX_FILE));
        assertEquals(SafetensorsWriter.Tensors.of(in).dataBytes(d), index.getAsJsonObject("metadata").get("total_size").getAsLong());
        assertEquals(in.keySet(), index.getAsJsonObject("weight_map").keySet());
        for (Path p : shards) {
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                long bytes = f.names().stream().mapToLong(x -> f.numel(x) * d.bytes).sum();
                assertTrue(bytes <= max || f.names().size() == 1, p + " holds " + bytes + " bytes");
            }
        }
        try (SafetensorsShards s = SafetensorsShards.open(dir)) {
            assertEquals(new ArrayList<>(in.keySet()), new ArrayList<>(s.names()));
            for (Map.Entry<String, FloatTensor> e : in.entrySet()) {
                IoTestData.assertBitwiseEqual(e.getValue(), s.read(e.getKey()), e.getKey());
            }
        }
    }
}
