package prunekit.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The exclusive lock of one output: {@code .NAME.lock} beside it, held with {@link FileChannel#tryLock}
 * (released by the OS when the process dies, so a kill leaves no stale lock, only a harmless file) and
 * deleted on {@link #close()}. A second writer, in this JVM or another, is refused with one line.
 */
final class OutputLock implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;

    private OutputLock(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    static OutputLock acquire(Path out) {
        Path lock = out.getParent().resolve("." + out.getFileName() + ".lock");
        String busy = "another prunekit process is writing " + out + " (lock " + lock + "); wait for it or choose another"
                + " output path";
        try {
            Files.createDirectories(lock.getParent());
            for (int attempt = 0; attempt < 10; attempt++) {
                FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
                FileLock l;
                try {
                    l = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    l = null;
                }
                if (l == null) {
                    ch.close();
                    throw new IllegalArgumentException(busy);
                }
                String token = UUID.randomUUID().toString();
                ch.truncate(0).write(ByteBuffer.wrap(token.getBytes(StandardCharsets.UTF_8)), 0);
                if (Files.exists(lock) && Files.readString(lock).equals(token)) {
                    return new OutputLock(lock, ch); // the file we locked is still the one named .NAME.lock
                }
                ch.close(); // an earlier holder deleted it between our open and lock: retry on the new one
            }
            throw new IllegalArgumentException(busy);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + lock + ": " + e.getMessage(), e);
        }
    }

    /** What a killed process leaves: the lock released, the file in place. */
    void abandon() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // as a dead process
        }
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
            channel.close();
        } catch (IOException ignored) {
            // the lock goes with the channel; a left lock file is harmless
        }
    }
}
