package prunekit.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import prunekit.core.model.FloatTensor;

/**
 * A GGUF file (v2 or v3, little-endian): header, typed metadata and tensor infos are parsed and
 * checked on {@link #open}; tensor data is read by positional reads (no long-lived maps) and
 * converted to fp32 on {@link #read}.
 *
 * <p>Layout: magic "GGUF", uint32 version, uint64 tensor count, uint64 metadata count, metadata
 * (key string, uint32 value type, value), tensor infos (name, uint32 n_dims, uint64 ne[n_dims],
 * uint32 ggml type, uint64 offset), padding to {@code general.alignment} (default 32), tensor data.
 * Strings are uint64 length + UTF-8 bytes. ne[0] is the contiguous dimension, so the row-major
 * shape is ne reversed: a linear weight with ne = (in, out) is the matrix (out, in).
 *
 * <p>Metadata values are held as: integers of every width → {@link Long} (uint64 keeps its bits),
 * float32 → {@link Float}, float64 → {@link Double}, bool → {@link Boolean}, string → {@link String};
 * arrays → {@code long[]}, {@code float[]}, {@code double[]}, {@code boolean[]}, {@code List<String>}
 * or, for arrays of arrays, {@code List<Object>}.
 */
public final class GgufFile {
    private final Path path;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, GgufTensorInfo> tensors;
    private final long dataStart;

    GgufFile(Path path, int version, Map<String, Object> metadata, Map<String, GgufTensorInfo> tensors,
                     long dataStart) {
        this.path = path;
        this.version = version;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = Collections.unmodifiableMap(tensors);
        this.dataStart = dataStart;
    }

    /**
     * Parses {@code file}'s header through a temporary map (only the header's pages are touched);
     * every tensor of a known type is checked to lie inside the file ({@link GgufParser}).
     */
    public static GgufFile open(Path file) {
        return GgufParser.open(file);
    }

    // ---- tensors ----

    /** Tensor infos in file order. */
    public List<GgufTensorInfo> tensors() {
        return new ArrayList<>(tensors.values());
    }

    public boolean hasTensor(String name) {
        return tensors.containsKey(name);
    }

    public GgufTensorInfo tensor(String name) {
        GgufTensorInfo t = tensors.get(name);
        if (t == null) {
            throw new FormatException(path, "no tensor " + name + " in this GGUF file");
        }
        return t;
    }

    /** The tensor {@code name} in fp32, shape = ne reversed (row-major); Q8_0/F16/BF16 are converted. */
    public FloatTensor read(String name) {
        try (FileChannel ch = openChannel()) {
            return read(name, ch, new PositionalReads(PositionalReads.DEFAULT_BUFFER_BYTES));
        } catch (IOException e) {
            throw new FormatException(path, "cannot close: " + e.getMessage(), e);
        }
    }

    /** {@link #read} from {@code ch}, this file opened by {@link #openChannel}, through {@code reads}. */
    FloatTensor read(String name, FileChannel ch, PositionalReads reads) {
        GgufTensorInfo t = tensor(name);
        GgmlType type = GgmlType.fromCode(t.typeCode());
        if (type == null) {
            throw new FormatException(path, "tensor " + name + " has ggml type " + GgmlType.describe(t.typeCode())
                    + "; prunekit reads F32, F16, BF16 and Q8_0 (re-convert the model with one of those)");
        }
        long numel = t.numel();
        if (numel > Integer.MAX_VALUE - 8) {
            throw new FormatException(path, "tensor " + name + " has " + numel + " elements, more than one Java array holds");
        }
        float[] out = new float[(int) numel];
        reads.read(ch, path, dataStart + t.offset(), type.byteSize(path, t), type.blockBytes, (b, done) ->
                type.decode(b, out, (int) (done / type.blockBytes * type.blockSize),
                        b.remaining() / type.blockBytes * type.blockSize));
        return new FloatTensor(t.shape(), out);
    }

    /** A read-only channel on this file, for {@link #read(String, FileChannel, PositionalReads)}. */
    FileChannel openChannel() {
        try {
            return FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new FormatException(path, "cannot open: " + e.getMessage(), e);
        }
    }

    /** True when two tensors have the same type, dims and data bytes (e.g. an output head copied from the embedding). */
    public boolean sameBytes(String a, String b) {
        GgufTensorInfo ta = tensor(a);
        GgufTensorInfo tb = tensor(b);
        GgmlType type = GgmlType.fromCode(ta.typeCode());
        if (type == null || ta.typeCode() != tb.typeCode() || !Arrays.equals(ta.ne(), tb.ne())) {
            return false;
        }
        long bytes = type.byteSize(path, ta);
        int chunk = 1 << 20;
        ByteBuffer x = ByteBuffer.allocate(chunk);
        ByteBuffer y = ByteBuffer.allocate(chunk);
        try (FileChannel ch = openChannel()) {
            for (long done = 0; done < bytes; done += chunk) {
                int len = (int) Math.min(chunk, bytes - done);
                x.clear().limit(len);
                y.clear().limit(len);
                PositionalReads.readFully(ch, path, x, dataStart + ta.offset() + done);
                PositionalReads.readFully(ch, path, y, dataStart + tb.offset() + done);
                if (x.flip().mismatch(y.flip()) >= 0) {
                    return false;
                }
            }
        } catch (IOException e) {
            throw new FormatException(path, "cannot close: " + e.getMessage(), e);
        }
        return true;
    }

    // ---- metadata ----

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    /** Absolute file offset where tensor data begins (aligned). */
    public long dataStart() {
        return dataStart;
    }

    /** All metadata in file order (unmodifiable), with the value representations in the class comment. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    /** The raw value of {@code key}; a FormatException naming the key when absent. */
    public Object get(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            throw new FormatException(path, "missing metadata " + key);
        }
        return v;
    }

    public String getString(String key) {
        return as(key, String.class, "a string");
    }

    public String getString(String key, String fallback) {
        return has(key) ? getString(key) : fallback;
    }

    /** An integer value of any width. */
    public long getLong(String key) {
        return as(key, Long.class, "an integer");
    }

    public int getInt(String key) {
        return intValue(key, getLong(key));
    }

    /** {@code v}, read from metadata {@code key} (or one element of its array), as an int; a FormatException when it does not fit. */
    public int intValue(String key, long v) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new FormatException(path, "metadata " + key + " = " + v + " does not fit an int");
        }
        return (int) v;
    }

    public int getInt(String key, int fallback) {
        return has(key) ? getInt(key) : fallback;
    }

    /**
     * A numeric value as a double. A float32 value gives the double of its shortest decimal form
     * (float 1e-5 → 1.0E-5, not 9.99999974737875E-6), so configs written from it read naturally.
     */
    public double getDouble(String key) {
        Object v = get(key);
        if (v instanceof Float f) {
            return Double.parseDouble(Float.toString(f));
        }
        if (v instanceof Double || v instanceof Long) {
            return ((Number) v).doubleValue();
        }
        throw typeError(key, v, "a number");
    }

    public double getDouble(String key, double fallback) {
        return has(key) ? getDouble(key) : fallback;
    }

    public boolean getBoolean(String key) {
        return as(key, Boolean.class, "a bool");
    }

    @SuppressWarnings("unchecked")
    public List<String> getStringList(String key) {
        Object v = get(key);
        if (v instanceof List<?> l && l.stream().allMatch(x -> x instanceof String)) {
            return (List<String>) l;
        }
        throw typeError(key, v, "an array of strings");
    }

    /** An array of float32 (or float64, narrowed). */
    public float[] getFloatArray(String key) {
        Object v = get(key);
        if (v instanceof float[] f) {
            return f.clone();
        }
        if (v instanceof double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            return f;
        }
        throw typeError(key, v, "an array of floats");
    }

    /** An array of integers of any width, each checked to fit an int. */
    public int[] getIntArray(String key) {
        Object v = get(key);
        if (!(v instanceof long[] l)) {
            throw typeError(key, v, "an array of integers");
        }
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            if (l[i] < Integer.MIN_VALUE || l[i] > Integer.MAX_VALUE) { // the key is built only for the error
                throw new FormatException(path, "metadata " + key + "[" + i + "] = " + l[i] + " does not fit an int");
            }
            out[i] = (int) l[i];
        }
        return out;
    }

    private <T> T as(String key, Class<T> type, String expected) {
        Object v = get(key);
        if (!type.isInstance(v)) {
            throw typeError(key, v, expected);
        }
        return type.cast(v);
    }

    private FormatException typeError(String key, Object v, String expected) {
        String found = v.getClass().isArray() ? v.getClass().getComponentType() + "[]" : v.getClass().getSimpleName();
        return new FormatException(path, "metadata " + key + " is " + found + ", expected " + expected);
    }

    @Override
    public String toString() {
        return "GgufFile[" + path + ", v" + version + ", " + metadata.size() + " metadata, " + tensors.size()
                + " tensors " + Arrays.toString(tensors.keySet().stream().limit(3).toArray()) + "...]";
    }
}
