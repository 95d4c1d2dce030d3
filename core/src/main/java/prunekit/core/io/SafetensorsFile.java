package prunekit.core.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;

/**
 * One {@code .safetensors} file, read by positional reads: the header is parsed and checked when
 * the file is opened, and each tensor's bytes are read only when it is asked for, through one
 * reused direct buffer (so files and tensors larger than 2 GB work, nothing but the requested
 * tensor reaches the heap, and no mapped pages stay resident).
 *
 * <pre>
 * [u64 little-endian N] [N bytes of JSON header] [data region]
 * header: {"__metadata__": {...}, "name": {"dtype": "BF16", "shape": [out, in], "data_offsets": [begin, end]}, ...}
 * </pre>
 * Offsets are relative to the start of the data region. Only F32, F16 and BF16 tensors are read;
 * {@link #read} returns fp32.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The safetensors library refuses headers above 100 MB; so do we. */
    static final long MAX_HEADER_BYTES = 100L << 20;

    /** Where one tensor lives: {@code [begin, end)} relative to the data region. */
    record Entry(String name, DType dtype, int[] shape, long begin, long end) {
        long numel() {
            return FloatTensor.numel(shape);
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;
    private PositionalReads reads;

    private SafetensorsFile(Path file, FileChannel channel, long dataStart, Map<String, Entry> entries,
                            Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = Collections.unmodifiableMap(entries);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** Opens and checks {@code file}; throws {@link FormatException} naming what is wrong. */
    public static SafetensorsFile open(Path file) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
        }
        try {
            long size = ch.size();
            long headerLen = readHeaderLength(file, ch, size);
            JsonObject header = parseHeader(file, readBytes(ch, 8, (int) headerLen));
            long dataStart = 8 + headerLen;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    readMetadata(file, e.getValue(), metadata);
                } else {
                    entries.put(e.getKey(), SafetensorsHeader.parseEntry(file, e.getKey(), e.getValue()));
                }
            }
            checkRanges(file, entries.values(), size - dataStart);
            return new SafetensorsFile(file, ch, dataStart, entries, metadata);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static long readHeaderLength(Path file, FileChannel ch, long size) throws IOException {
        if (size < 8) {
            throw new FormatException(file, "file is " + size + " bytes, shorter than the 8-byte header length"
                    + " that starts every safetensors file; it is truncated or not a safetensors file");
        }
        long n = ByteBuffer.wrap(readBytes(ch, 0, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (Long.compareUnsigned(n, size - 8) > 0) {
            throw new FormatException(file, "header length " + Long.toUnsignedString(n) + " bytes is longer than the file ("
                    + size + " bytes, " + (size - 8) + " after the length field); the file is truncated or not safetensors");
        }
        if (n > MAX_HEADER_BYTES) {
            throw new FormatException(file, "header length " + n + " bytes exceeds the " + MAX_HEADER_BYTES
                    + "-byte limit of the safetensors format; the file is damaged or not safetensors");
        }
        return n;
    }

    private static JsonObject parseHeader(Path file, byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            requireUniqueNames(file, text);
            JsonElement root = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalStateException("text after the JSON object");
            }
            if (!root.isJsonObject()) {
                throw new IllegalStateException("expected a JSON object, found " + root);
            }
            return root.getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            String start = text.length() > 40 ? text.substring(0, 40) + "..." : text;
            throw new FormatException(file, "header is not JSON (" + e.getMessage() + "); it starts with '"
                    + start.replaceAll("\\p{Cntrl}", "?") + "'; the file is damaged or not safetensors", e);
        }
    }

    /** A name given twice in the header would silently keep only one of its entries: refused. */
    private static void requireUniqueNames(Path file, String text) throws IOException {
        JsonReader r = new JsonReader(new StringReader(text));
        r.setStrictness(Strictness.STRICT);
        if (r.peek() != JsonToken.BEGIN_OBJECT) {
            return; // parseHeader reports what it is
        }
        r.beginObject();
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (r.hasNext()) {
            String name = r.nextName();
            if (!seen.add(name)) {
                throw new FormatException(file, "the header names tensor '" + name + "' twice; a safetensors header"
                        + " holds each name once; the file is damaged or was written by a broken tool");
            }
            r.skipValue();
        }
    }

    private static void readMetadata(Path file, JsonElement value, Map<String, String> out) {
        if (value.isJsonNull()) {
            return;
        }
        if (!value.isJsonObject()) {
            throw new FormatException(file, "__metadata__ should be an object of strings but is " + value);
        }
        for (Map.Entry<String, JsonElement> m : value.getAsJsonObject().entrySet()) {
            JsonElement v = m.getValue();
            out.put(m.getKey(), v.isJsonPrimitive() ? v.getAsString() : v.toString());
        }
    }

    /** Every tensor inside the data region and no two sharing a byte. */
    private static void checkRanges(Path file, Iterable<Entry> entries, long dataSize) {
        List<Entry> sorted = new ArrayList<>();
        for (Entry e : entries) {
            if (e.end() > dataSize) {
                throw new FormatException(file, "tensor " + e.name() + ": data_offsets [" + e.begin() + ", " + e.end()
                        + "] end past the end of the data region (" + dataSize
                        + " bytes after the header); the file is truncated, download or copy it again");
            }
            if (e.end() > e.begin()) {
                sorted.add(e);
            }
        }
        sorted.sort(Comparator.comparingLong(Entry::begin));
        for (int i = 1; i < sorted.size(); i++) {
            Entry a = sorted.get(i - 1);
            Entry b = sorted.get(i);
            if (b.begin() < a.end()) {
                throw new FormatException(file, "tensors " + a.name() + " [" + a.begin() + ", " + a.end() + ") and "
                        + b.name() + " [" + b.begin() + ", " + b.end() + ") overlap; expected disjoint byte ranges;"
                        + " the file is damaged, write it again");
            }
        }
    }

    public Path file() {
        return file;
    }

    /** Tensor names in header order. */
    public Set<String> names() {
        return entries.keySet();
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    public int[] shape(String name) {
        return entry(name).shape().clone();
    }

    public DType dtype(String name) {
        return entry(name).dtype();
    }

    public long numel(String name) {
        return entry(name).numel();
    }

    /** The {@code __metadata__} strings (empty when the header has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensor as fp32 (f16 and bf16 converted exactly). */
    public synchronized FloatTensor read(String name) {
        if (reads == null) {
            reads = new PositionalReads(PositionalReads.DEFAULT_BUFFER_BYTES);
        }
        return read(name, reads);
    }

    /** {@link #read} through a buffer of {@code chunkBytes} (tests use tiny chunks). */
    FloatTensor read(String name, long chunkBytes) {
        return read(name, new PositionalReads((int) chunkBytes));
    }

    private FloatTensor read(String name, PositionalReads r) {
        Entry e = entry(name);
        long n = e.numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new FormatException(file, "tensor " + name + " has " + n + " elements, more than a Java array holds");
        }
        float[] out = new float[(int) n];
        int size = e.dtype().bytes;
        GgmlType type = GgmlType.of(e.dtype());
        r.read(channel, file, dataStart + e.begin(), e.end() - e.begin(), size,
                (buf, done) -> type.decode(buf, out, (int) (done / size), buf.remaining() / size));
        return new FloatTensor(e.shape(), out);
    }

    /** The tensor's stored bytes, little-endian (for tensors under 2 GB). */
    public ByteBuffer rawBytes(String name) {
        Entry e = entry(name);
        long len = e.end() - e.begin();
        if (len > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor " + name + " in " + file + " is " + len
                    + " bytes; rawBytes reads at most 2 GB, use read()");
        }
        ByteBuffer out = ByteBuffer.allocate((int) len).order(ByteOrder.LITTLE_ENDIAN);
        new PositionalReads(PositionalReads.DEFAULT_BUFFER_BYTES).read(channel, file, dataStart + e.begin(), len, 1,
                (buf, done) -> out.put(buf));
        return out.flip();
    }

    Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException(file + " has no tensor " + name);
        }
        return e;
    }

    private static byte[] readBytes(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                throw new IOException("unexpected end of file at byte " + (pos + b.position()));
            }
        }
        return b.array();
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already failing; the first error is the one to report
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + file + ", " + entries.size() + " tensors]";
    }
}
