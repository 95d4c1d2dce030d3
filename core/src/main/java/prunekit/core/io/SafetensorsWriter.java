package prunekit.core.io;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;

/**
 * Writes fp32 tensors as safetensors in a chosen dtype (f16/bf16 rounded to nearest, ties to even,
 * by {@link HalfFloats}): one file, or Hugging Face shards {@code model-00001-of-0000N.safetensors}
 * with {@code model.safetensors.index.json}. Tensors are written in the given order, each produced
 * only when its turn comes and streamed in small chunks (never more than one tensor or a whole-file
 * buffer in memory), into a temporary file in the target directory that is renamed when complete.
 */
public final class SafetensorsWriter {
    /** Largest shard before a checkpoint is split (about 2 GB, a size every file system and tool takes). */
    public static final long DEFAULT_MAX_SHARD_BYTES = 2_000_000_000L;
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private static final int CHUNK_ELEMENTS = 1 << 18;

    /**
     * Tensors to write: every name in order with its shape, and what produces one tensor when it is
     * written (a map lookup, a lazy read, a generator).
     */
    public record Tensors(Map<String, int[]> shapes, Function<String, FloatTensor> producer) {
        public Tensors {
            shapes = Collections.unmodifiableMap(new LinkedHashMap<>(shapes));
        }

        /** Tensors already in memory, in the map's order. */
        public static Tensors of(Map<String, FloatTensor> tensors) {
            Map<String, int[]> shapes = new LinkedHashMap<>();
            tensors.forEach((n, t) -> shapes.put(n, t.shape()));
            return new Tensors(shapes, tensors::get);
        }

        /** Bytes these tensors take in {@code dtype}, without headers. */
        public long dataBytes(DType dtype) {
            return shapes.values().stream().mapToLong(s -> FloatTensor.numel(s) * dtype.bytes).sum();
        }

        FloatTensor produce(String name) {
            FloatTensor t = producer.apply(name);
            if (t == null || !Arrays.equals(t.shape(), shapes.get(name))) {
                throw new IllegalStateException("tensor " + name + " was declared " + Arrays.toString(shapes.get(name))
                        + " but produced " + (t == null ? "nothing" : Arrays.toString(t.shape())));
            }
            return t;
        }
    }

    private SafetensorsWriter() {
    }

    /** Writes {@code tensors} to {@code file} as one safetensors file in {@code dtype}. */
    public static void write(Path file, Map<String, FloatTensor> tensors, DType dtype) {
        write(file, Tensors.of(tensors), dtype);
    }

    /** Writes {@code tensors} to {@code file} as one safetensors file in {@code dtype}, one tensor at a time. */
    public static void write(Path file, Tensors tensors, DType dtype) {
        List<String> names = new ArrayList<>(tensors.shapes().keySet());
        AtomicFiles.write(file, tmp -> writeFile(tmp, names, tensors, dtype));
    }

    /**
     * Writes {@code tensors} into {@code dir} as shards of at most {@code maxShardBytes} data bytes
     * each (a tensor larger than that gets a shard of its own) plus {@link #INDEX_FILE}, which is
     * written last. Returns the shard files in order.
     */
    public static List<Path> writeSharded(Path dir, Tensors tensors, DType dtype, long maxShardBytes) {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("max shard size must be positive, got " + maxShardBytes);
        }
        List<List<String>> shards = planShards(tensors.shapes(), dtype, maxShardBytes);
        JsonObject weightMap = new JsonObject();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < shards.size(); i++) {
            List<String> names = shards.get(i);
            Path file = dir.resolve(shardName(i + 1, shards.size()));
            AtomicFiles.write(file, tmp -> writeFile(tmp, names, tensors, dtype));
            names.forEach(n -> weightMap.addProperty(n, file.getFileName().toString()));
            files.add(file);
        }
        JsonObject meta = new JsonObject();
        meta.addProperty("total_size", tensors.dataBytes(dtype));
        JsonObject index = new JsonObject();
        index.add("metadata", meta);
        index.add("weight_map", weightMap);
        Json.write(dir.resolve(INDEX_FILE), index, Json.Layout.EXPANDED);
        return files;
    }

    /**
     * Writes {@code tensors} into {@code dir}: one {@link #SINGLE_FILE} when they fit in
     * {@code maxShardBytes}, else shards and the index.
     */
    public static void writeCheckpointWeights(Path dir, Tensors tensors, DType dtype, long maxShardBytes) {
        if (tensors.dataBytes(dtype) <= maxShardBytes) {
            write(dir.resolve(SINGLE_FILE), tensors, dtype);
        } else {
            writeSharded(dir, tensors, dtype, maxShardBytes);
        }
    }

    /** Hugging Face's shard name: {@code model-00002-of-00005.safetensors} (1-based). */
    public static String shardName(int index, int count) {
        return String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", index, count);
    }

    /** Greedy split in order: a shard takes tensors while they fit in {@code maxShardBytes}. */
    static List<List<String>> planShards(Map<String, int[]> shapes, DType dtype, long maxShardBytes) {
        List<List<String>> shards = new ArrayList<>();
        List<String> current = new ArrayList<>();
        long size = 0;
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            long bytes = FloatTensor.numel(e.getValue()) * dtype.bytes;
            if (!current.isEmpty() && size + bytes > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(e.getKey());
            size += bytes;
        }
        if (!current.isEmpty() || shards.isEmpty()) {
            shards.add(current);
        }
        return shards;
    }

    private static void writeFile(Path file, List<String> names, Tensors tensors, DType dtype) throws IOException {
        List<int[]> shapes = new ArrayList<>();
        for (String n : names) {
            shapes.add(tensors.shapes().get(n));
        }
        byte[] header = SafetensorsHeader.build(names, shapes, dtype);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            AtomicFiles.writeFully(ch, len);
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(header));
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK_ELEMENTS * 4).order(ByteOrder.LITTLE_ENDIAN);
            GgmlType type = GgmlType.of(dtype);
            for (String n : names) {
                float[] data = tensors.produce(n).data();
                for (int off = 0; off < data.length; off += CHUNK_ELEMENTS) {
                    buf.clear();
                    type.encode(data, off, Math.min(CHUNK_ELEMENTS, data.length - off), buf);
                    buf.flip();
                    AtomicFiles.writeFully(ch, buf);
                }
            }
            ch.force(true);
        }
    }
}
