package prunekit.export.onnx;

import com.google.protobuf.CodedOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.core.io.AtomicFiles;

/**
 * Writes a {@link ModelSpec} to a .onnx file, streaming initializer bytes rather than building the
 * whole message in memory. Weights go to a side file {@code <model>.data} (ONNX external data:
 * {@code location}/{@code offset}/{@code length}, offsets aligned to 4096 bytes for mmap) when asked
 * or when they would not fit protobuf's 2 GiB limit; tensors under 1 KiB always stay inline.
 * Both files are written through {@link AtomicFiles} (temporary name in the target folder, rename).
 */
public final class OnnxFile {
    /** When to store weights outside the .onnx file. */
    public enum ExternalData {
        /** Only when the weights would not fit in one protobuf message (about 2 GB). */
        AUTO,
        /** Always (for tensors of 1 KiB and more). */
        ALWAYS,
        /** Never; fails for models over the protobuf limit. */
        NEVER
    }

    /** What was written. {@code data} is null when everything is inline. */
    public record Written(Path model, Path data, long modelBytes, long dataBytes) {
    }

    /** Inline models must stay below protobuf's 2 GiB message limit, with room for the graph. */
    static final long INLINE_LIMIT = 2_000_000_000L;
    static final int INLINE_THRESHOLD = 1024;
    static final int ALIGNMENT = 4096;

    private OnnxFile() {
    }

    public static Written write(ModelSpec spec, Path out, ExternalData policy) throws IOException {
        return write(spec, out, policy, out.getFileName() + ".data");
    }

    /** As above with the external data file named {@code dataName} (HF's ONNX folders use {@code model.onnx_data}). */
    public static Written write(ModelSpec spec, Path out, ExternalData policy, String dataName) throws IOException {
        Path target = out.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        long weightBytes = spec.graph().initializerBytes();
        boolean external = switch (policy) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> weightBytes > INLINE_LIMIT;
        };
        if (!external && weightBytes > INLINE_LIMIT) {
            throw new IllegalArgumentException("the weights of " + target + " take " + weightBytes
                    + " bytes, over protobuf's 2 GiB limit for one .onnx file; write them as external data"
                    + " (ExternalData.AUTO or ALWAYS)");
        }
        Path data = external ? dir.resolve(dataName) : null;
        Map<String, OnnxProto.ExternalRef> refs = new LinkedHashMap<>();
        long[] bytes = new long[2]; // {model, data}
        if (external) {
            AtomicFiles.write(data, tmp -> bytes[1] = writeData(spec.graph(), tmp, data.getFileName().toString(), refs));
        }
        AtomicFiles.write(target, tmp -> bytes[0] = writeModel(spec, tmp, refs));
        if (!external) {
            Files.deleteIfExists(dir.resolve(dataName));
        }
        return new Written(target, data, bytes[0], bytes[1]);
    }

    private static long writeData(Graph g, Path file, String location, Map<String, OnnxProto.ExternalRef> refs)
            throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long pos = 0;
            for (Initializer t : g.initializers()) {
                if (t.byteLength() < INLINE_THRESHOLD) {
                    continue;
                }
                long offset = (pos + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
                ch.position(offset);
                long[] written = {0};
                t.writeTo(chunk -> {
                    while (chunk.hasRemaining()) {
                        written[0] += ch.write(chunk);
                    }
                });
                if (written[0] != t.byteLength()) {
                    throw new IllegalStateException("tensor " + t + " wrote " + written[0] + " bytes, expected "
                            + t.byteLength());
                }
                refs.put(t.name(), new OnnxProto.ExternalRef(location, offset, t.byteLength()));
                pos = offset + t.byteLength();
            }
            return pos;
        }
    }

    private static long writeModel(ModelSpec spec, Path file, Map<String, OnnxProto.ExternalRef> refs)
            throws IOException {
        ProtoMessage model = OnnxProto.model(spec, refs);
        long size = model.size();
        if (size > Integer.MAX_VALUE) {
            throw new IllegalStateException("the model proto of " + file + " would be " + size
                    + " bytes, over protobuf's 2 GiB limit");
        }
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file),
                1 << 16)) {
            CodedOutputStream cos = CodedOutputStream.newInstance(os, 1 << 16);
            model.writeTo(cos);
            cos.flush();
            if (cos.getTotalBytesWritten() != size) {
                throw new IllegalStateException("wrote " + cos.getTotalBytesWritten() + " bytes to " + file
                        + " but the encoder computed " + size);
            }
        }
        return size;
    }
}
