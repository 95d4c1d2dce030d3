package prunekit.core.io;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and checks the header of a GGUF file into a {@link GgufFile} (the layout is in its class
 * comment): magic, version, the metadata key/value pairs (through {@link GgufValues}), the tensor
 * infos, the alignment of the data section, and that every tensor of a known type lies inside the
 * file without overlapping another. Each failure is a {@link FormatException} naming the file.
 */
final class GgufParser {
    private static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    private static final int DEFAULT_ALIGNMENT = 32;

    private GgufParser() {
    }

    /** {@link GgufFile#open}. */
    static GgufFile open(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(size, Integer.MAX_VALUE))
                    .order(ByteOrder.LITTLE_ENDIAN);
            return parse(file, buf, size);
        } catch (IOException e) {
            throw new FormatException(file, "cannot read GGUF file: " + e.getMessage(), e);
        }
    }

    private static GgufFile parse(Path file, ByteBuffer buf, long size) {
        if (size < 8) {
            throw new FormatException(file, "not a GGUF file (only " + size + " bytes)");
        }
        int magic = buf.getInt();
        if (magic != MAGIC) {
            byte[] m = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(magic).array();
            throw new FormatException(file, "not a GGUF file (magic " + printable(m) + ", expected \"GGUF\")");
        }
        int version = buf.getInt();
        if (version != 2 && version != 3) {
            throw new FormatException(file, "unsupported GGUF version " + Integer.toUnsignedString(version)
                    + "; prunekit reads v2 and v3");
        }
        try {
            GgufValues values = new GgufValues(file, buf);
            long tensorCount = values.count("tensor count");
            long kvCount = values.count("metadata count");
            Map<String, Object> meta = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = values.string();
                Object v = values.value(buf.getInt(), key);
                if (meta.put(key, v) != null) {
                    throw new FormatException(file, "metadata key " + key + " appears twice");
                }
            }
            Map<String, GgufTensorInfo> infos = new LinkedHashMap<>();
            for (long i = 0; i < tensorCount; i++) {
                GgufTensorInfo t = tensorInfo(file, values);
                if (infos.put(t.name(), t) != null) {
                    throw new FormatException(file, "tensor " + t.name() + " appears twice");
                }
            }
            long alignment = alignment(file, meta);
            long dataStart = (buf.position() + alignment - 1) / alignment * alignment;
            for (GgufTensorInfo t : infos.values()) {
                if (t.offset() % alignment != 0) {
                    throw new FormatException(file, "tensor " + t.name() + " starts at offset " + t.offset()
                            + ", not a multiple of the alignment " + alignment);
                }
            }
            checkBounds(file, infos.values(), dataStart, size);
            return new GgufFile(file, version, meta, infos, dataStart);
        } catch (BufferUnderflowException e) {
            throw new FormatException(file, "truncated header (the file ends at byte " + size
                    + " inside the metadata or tensor infos)", e);
        }
    }

    private static GgufTensorInfo tensorInfo(Path file, GgufValues values) {
        ByteBuffer buf = values.buffer();
        String name = values.string();
        int nDims = buf.getInt();
        if (nDims < 1 || nDims > 4) {
            throw new FormatException(file, "tensor " + name + " has " + nDims + " dimensions (expected 1 to 4)");
        }
        long[] ne = new long[nDims];
        double elements = 1;
        for (int d = 0; d < nDims; d++) {
            ne[d] = buf.getLong();
            if (ne[d] < 0 || ne[d] > Integer.MAX_VALUE) {
                throw new FormatException(file, "tensor " + name + " has dimension ne[" + d + "] = "
                        + Long.toUnsignedString(ne[d]));
            }
            elements *= ne[d];
        }
        if (elements > Long.MAX_VALUE / 8) { // 4 dims up to 2^31 each could overflow numel() (a long)
            throw new FormatException(file, "tensor " + name + " has dims ne = " + Arrays.toString(ne)
                    + ": more elements than any file can hold");
        }
        int type = buf.getInt();
        long offset = buf.getLong();
        if (offset < 0) {
            throw new FormatException(file, "tensor " + name + " has offset " + Long.toUnsignedString(offset));
        }
        return new GgufTensorInfo(name, ne, type, offset);
    }

    private static long alignment(Path file, Map<String, Object> meta) {
        Object a = meta.get("general.alignment");
        if (a == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (!(a instanceof Long l) || l <= 0 || Long.bitCount(l) != 1) {
            throw new FormatException(file, "general.alignment is " + a + "; expected a positive power of two");
        }
        return l;
    }

    /** Every tensor whose type prunekit knows must end inside the file, and no two may share bytes. */
    private static void checkBounds(Path path, Collection<GgufTensorInfo> tensors, long dataStart, long fileSize) {
        long available = fileSize - dataStart;
        TreeMap<Long, GgufTensorInfo> byOffset = new TreeMap<>();
        for (GgufTensorInfo t : tensors) {
            GgmlType type = GgmlType.fromCode(t.typeCode());
            if (type == null) {
                continue; // reported when read
            }
            long bytes = type.byteSize(path, t);
            if (t.offset() + bytes > available) {
                throw new FormatException(path, "truncated: tensor " + t.name() + " needs bytes " + (dataStart + t.offset())
                        + ".." + (dataStart + t.offset() + bytes) + " but the file has " + fileSize + " bytes");
            }
            if (bytes > 0) {
                GgufTensorInfo same = byOffset.put(t.offset(), t);
                if (same != null) {
                    throw overlap(path, same, t);
                }
            }
        }
        GgufTensorInfo prev = null;
        for (GgufTensorInfo t : byOffset.values()) {
            if (prev != null && prev.offset() + GgmlType.fromCode(prev.typeCode()).byteSize(path, prev) > t.offset()) {
                throw overlap(path, prev, t);
            }
            prev = t;
        }
    }

    private static FormatException overlap(Path path, GgufTensorInfo a, GgufTensorInfo b) {
        return new FormatException(path, "tensors " + a.name() + " (offset " + a.offset() + ") and " + b.name()
                + " (offset " + b.offset() + ") overlap; expected disjoint byte ranges; the file is damaged");
    }

    private static String printable(byte[] b) {
        StringBuilder s = new StringBuilder("\"");
        for (byte x : b) {
            s.append(x >= 0x20 && x < 0x7f ? String.valueOf((char) x) : String.format("\\x%02x", x & 0xff));
        }
        return s.append('"').toString();
    }
}
