package prunekit.core.io;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads GGUF metadata values from the header buffer: the thirteen value types (uint8 … float64,
 * bool, string, array, including arrays of arrays), with lengths checked against the bytes left so
 * that a corrupt count fails with a message instead of an OutOfMemoryError.
 * See {@link GgufFile} for how each type is represented in Java.
 */
final class GgufValues {
    // GGUF value type codes
    static final int UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
            STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12;
    private static final int MAX_NESTING = 8;

    private final Path file;
    private final ByteBuffer buf;

    GgufValues(Path file, ByteBuffer buf) {
        this.file = file;
        this.buf = buf;
    }

    ByteBuffer buffer() {
        return buf;
    }

    /** A uint64 count that must be plausible for the bytes left (each item takes at least one byte). */
    long count(String what) {
        long n = buf.getLong();
        if (n < 0 || n > buf.remaining()) {
            throw new FormatException(file, "truncated header: " + what + " " + Long.toUnsignedString(n)
                    + " is larger than the " + buf.remaining() + " bytes left");
        }
        return n;
    }

    String string() {
        long n = buf.getLong();
        if (n < 0 || n > buf.remaining()) {
            throw new FormatException(file, "truncated header: a string of length " + Long.toUnsignedString(n) + " at byte "
                    + (buf.position() - 8) + " runs past the end of the file");
        }
        byte[] b = new byte[(int) n];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    Object value(int type, String key) {
        return value(type, key, 0);
    }

    private Object value(int type, String key, int depth) {
        return switch (type) {
            case UINT8 -> (long) (buf.get() & 0xff);
            case INT8 -> (long) buf.get();
            case UINT16 -> (long) (buf.getShort() & 0xffff);
            case INT16 -> (long) buf.getShort();
            case UINT32 -> buf.getInt() & 0xffffffffL;
            case INT32 -> (long) buf.getInt();
            case UINT64, INT64 -> buf.getLong();
            case FLOAT32 -> buf.getFloat();
            case FLOAT64 -> buf.getDouble();
            case BOOL -> bool(key);
            case STRING -> string();
            case ARRAY -> array(key, depth);
            default -> throw new FormatException(file, "metadata " + key + " has unknown value type " + type);
        };
    }

    private boolean bool(String key) {
        byte b = buf.get();
        if (b != 0 && b != 1) {
            throw new FormatException(file, "metadata " + key + " is a bool with byte value " + b);
        }
        return b == 1;
    }

    private Object array(String key, int depth) {
        if (depth >= MAX_NESTING) {
            throw new FormatException(file, "metadata " + key + " nests arrays deeper than " + MAX_NESTING);
        }
        int type = buf.getInt();
        long n = count("array " + key + " length");
        int len = (int) n;
        switch (type) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> {
                long[] a = new long[len];
                for (int i = 0; i < len; i++) {
                    a[i] = (Long) value(type, key, depth + 1);
                }
                return a;
            }
            case FLOAT32 -> {
                float[] a = new float[len];
                for (int i = 0; i < len; i++) {
                    a[i] = buf.getFloat();
                }
                return a;
            }
            case FLOAT64 -> {
                double[] a = new double[len];
                for (int i = 0; i < len; i++) {
                    a[i] = buf.getDouble();
                }
                return a;
            }
            case BOOL -> {
                boolean[] a = new boolean[len];
                for (int i = 0; i < len; i++) {
                    a[i] = bool(key);
                }
                return a;
            }
            case STRING, ARRAY -> {
                List<Object> a = new ArrayList<>(len);
                for (int i = 0; i < len; i++) {
                    a.add(value(type, key, depth + 1));
                }
                return type == STRING ? List.copyOf(a) : a;
            }
            default -> throw new FormatException(file, "metadata " + key + " is an array of unknown type " + type);
        }
    }
}
