package prunekit.export.onnx;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A protobuf message being encoded: its fields in the order they are added. The encoded size is
 * computed from the fields before anything is written, so a message can be streamed to a file
 * with its length prefix even when a field's payload (a large tensor) is produced only while
 * writing (see {@link #streamedBytes}). This is all the protobuf machinery prunekit's ONNX writer
 * needs; the ONNX messages themselves are built in {@link OnnxProto}.
 */
public final class ProtoMessage {
    /** A payload of known length that writes itself when the message is written. */
    @FunctionalInterface
    public interface BytesWriter {
        void writeTo(CodedOutputStream out) throws IOException;
    }

    private interface Field {
        long size();

        void write(CodedOutputStream out) throws IOException;
    }

    private final List<Field> fields = new ArrayList<>();
    private long cachedSize = -1;

    public ProtoMessage int64(int field, long value) {
        return add(new Field() {
            public long size() {
                return CodedOutputStream.computeInt64Size(field, value);
            }

            public void write(CodedOutputStream out) throws IOException {
                out.writeInt64(field, value);
            }
        });
    }

    public ProtoMessage float32(int field, float value) {
        return add(new Field() {
            public long size() {
                return CodedOutputStream.computeFloatSize(field, value);
            }

            public void write(CodedOutputStream out) throws IOException {
                out.writeFloat(field, value);
            }
        });
    }

    public ProtoMessage string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    public ProtoMessage bytes(int field, byte[] value) {
        byte[] copy = value.clone();
        return add(new Field() {
            public long size() {
                return CodedOutputStream.computeByteArraySize(field, copy);
            }

            public void write(CodedOutputStream out) throws IOException {
                out.writeByteArray(field, copy);
            }
        });
    }

    /** A repeated int64 field, written packed (parsers accept packed for any repeated scalar). */
    public ProtoMessage packedInt64(int field, long[] values) {
        long[] copy = values.clone();
        long payload = 0;
        for (long v : copy) {
            payload += CodedOutputStream.computeInt64SizeNoTag(v);
        }
        long len = payload;
        return add(new Field() {
            public long size() {
                return lengthDelimitedSize(field, len);
            }

            public void write(CodedOutputStream out) throws IOException {
                out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(Math.toIntExact(len));
                for (long v : copy) {
                    out.writeInt64NoTag(v);
                }
            }
        });
    }

    /** An embedded message. */
    public ProtoMessage message(int field, ProtoMessage value) {
        return add(new Field() {
            public long size() {
                return lengthDelimitedSize(field, value.size());
            }

            public void write(CodedOutputStream out) throws IOException {
                out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(Math.toIntExact(value.size()));
                value.writeTo(out);
            }
        });
    }

    /**
     * A bytes field of exactly {@code length} bytes that {@code writer} produces when the message
     * is written (e.g. a tensor's raw data streamed from memory). The writer must write exactly
     * {@code length} raw bytes; this is checked.
     */
    public ProtoMessage streamedBytes(int field, long length, BytesWriter writer) {
        return add(new Field() {
            public long size() {
                return lengthDelimitedSize(field, length);
            }

            public void write(CodedOutputStream out) throws IOException {
                out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(Math.toIntExact(length));
                long before = out.getTotalBytesWritten();
                writer.writeTo(out);
                long written = out.getTotalBytesWritten() - before;
                if (written != length) {
                    throw new IllegalStateException("field " + field + " promised " + length
                            + " bytes but its writer produced " + written);
                }
            }
        });
    }

    /** Encoded size in bytes (without any tag or length prefix of an enclosing field). */
    public long size() {
        if (cachedSize < 0) {
            long s = 0;
            for (Field f : fields) {
                s += f.size();
            }
            cachedSize = s;
        }
        return cachedSize;
    }

    public void writeTo(CodedOutputStream out) throws IOException {
        for (Field f : fields) {
            f.write(out);
        }
    }

    private ProtoMessage add(Field f) {
        fields.add(f);
        cachedSize = -1;
        return this;
    }

    private static long lengthDelimitedSize(int field, long payload) {
        if (payload > Integer.MAX_VALUE) {
            throw new IllegalStateException("field " + field + " would hold " + payload
                    + " bytes; protobuf messages are limited to 2 GiB (store the weights as external data)");
        }
        return CodedOutputStream.computeTagSize(field)
                + CodedOutputStream.computeUInt32SizeNoTag((int) payload) + payload;
    }
}
