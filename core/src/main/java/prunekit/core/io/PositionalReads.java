package prunekit.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Reads byte ranges of a file by positional {@link FileChannel} reads into one reused direct
 * buffer, never a memory map: mapped pages count toward the process's RSS and Java 17 cannot unmap
 * them, so a 7B checkpoint read through maps stays resident. Not thread-safe: one per reader.
 */
final class PositionalReads {
    /** Buffer size of the lazy sources: large enough for fast reads, small beside any tensor. */
    static final int DEFAULT_BUFFER_BYTES = 1 << 22;

    /** Receives one chunk: little-endian, position 0, {@code done} bytes of the range before it. */
    @FunctionalInterface
    interface Chunk {
        void accept(ByteBuffer chunk, long done);
    }

    private final ByteBuffer buf;

    PositionalReads(int bufferBytes) {
        if (bufferBytes <= 0) {
            throw new IllegalArgumentException("buffer size must be positive, got " + bufferBytes);
        }
        this.buf = ByteBuffer.allocateDirect(bufferBytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Hands bytes {@code [pos, pos + len)} of {@code ch} to {@code sink} in chunks that hold whole
     * {@code unit}s (an element or a quantization block), each as large as the buffer allows.
     */
    void read(FileChannel ch, Path file, long pos, long len, int unit, Chunk sink) {
        long step = Math.max(1, buf.capacity() / unit) * unit;
        ByteBuffer b = step <= buf.capacity() ? buf : ByteBuffer.allocateDirect(unit).order(ByteOrder.LITTLE_ENDIAN);
        for (long done = 0; done < len; done += step) {
            int n = (int) Math.min(step, len - done);
            b.clear().limit(n);
            readFully(ch, file, b, pos + done);
            b.flip();
            sink.accept(b.slice().order(ByteOrder.LITTLE_ENDIAN), done);
        }
    }

    /** Fills {@code b} (position to limit) from {@code ch} at {@code pos}. */
    static void readFully(FileChannel ch, Path file, ByteBuffer b, long pos) {
        int start = b.position();
        try {
            while (b.hasRemaining()) {
                if (ch.read(b, pos + b.position() - start) < 0) {
                    throw new FormatException(file, "unexpected end of file at byte " + (pos + b.position() - start)
                            + "; the file is truncated");
                }
            }
        } catch (IOException e) {
            throw new FormatException(file, "cannot read bytes at " + pos + ": " + e.getMessage(), e);
        }
    }
}
