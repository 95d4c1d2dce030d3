package prunekit.export.onnx;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

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

    /** One field: its encoded size (computed when asked) and how it writes itself. */
    private record Field(LongSupplier size, BytesWriter writer) {
    }

    private final List<Field> fields = new ArrayList<>();
    private long cachedSize = -1;

    public ProtoMessage int64(int field, long value) {
        return add(() -> CodedOutputStream.computeInt64Size(field, value), out -> out.writeInt64(field, value));
    }

    public ProtoMessage float32(int field, float value) {
        return add(() -> CodedOutputStream.computeFloatSize(field, value), out -> out.writeFloat(field, value));
    }

    public ProtoMessage string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    public ProtoMessage bytes(int field, byte[] value) {
        byte[] copy = value.clone();
        return add(() -> CodedOutputStream.computeByteArraySize(field, copy), out -> out.writeByteArray(field, copy));
    }

    /** A repeated int64 field, written packed (parsers accept packed for any repeated scalar). */
    public ProtoMessage packedInt64(int field, long[] values) {
        long[] copy = values.clone();
        long payload = 0;
        for (long v : copy) {
            payload += CodedOutputStream.computeInt64SizeNoTag(v);
        }
        long len = payload;
        return add(() -> lengthDelimitedSize(field, len), out -> {
            out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(Math.toIntExact(len));
            for (long v : copy) {
                out.writeInt64NoTag(v);
            }
        });
    }

    /** An embedded message. */
    public ProtoMessage message(int field, ProtoMessage value) {
        return add(() -> lengthDelimitedSize(field, value.size()), out -> {
            out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(Math.toIntExact(value.size()));
            value.writeTo(out);
        });
    }

    /**
     * A bytes field of exactly {@code length} bytes that {@code writer} produces when the message
     * is written (e.g. a tensor's raw data streamed from memory). The writer must write exactly
     * {@code length} raw bytes; this is checked.
     */
    public ProtoMessage streamedBytes(int field, long length, BytesWriter writer) {
        return add(() -> lengthDelimitedSize(field, length), out -> {
            out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(Math.toIntExact(length));
            long before = out.getTotalBytesWritten();
            writer.writeTo(out);
            long written = out.getTotalBytesWritten() - before;
            if (written != length) {
                throw new IllegalStateException("field " + field + " promised " + length
                        + " bytes but its writer produced " + written);
            }
        });
    }

    /** Encoded size in bytes (without any tag or length prefix of an enclosing field). */
    public long size() {
        if (cachedSize < 0) {
            long s = 0;
            for (Field f : fields) {
                s += f.size().getAsLong();
            }
            cachedSize = s;
        }
        return cachedSize;
    }

    public void writeTo(CodedOutputStream out) throws IOException {
        for (Field f : fields) {
            f.writer().writeTo(out);
        }
    }

    private ProtoMessage add(LongSupplier size, BytesWriter writer) {
        fields.add(new Field(size, writer));
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
