package prunekit.core.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The one way prunekit writes an output, so that a reader never sees half a file: the content goes
 * to a hidden sibling of the target ({@code .name.tmp-<random>}, unique per call), created with the
 * ordinary permissions (the umask, as for any new file; never createTempFile's owner-only 0600), is
 * fsync'ed, renamed atomically where the file system can (a plain replacing move where it cannot)
 * and deleted on failure. {@link #writeDirectory} does the same for a directory built whole (an HF
 * checkpoint). Failures are {@link UncheckedIOException}s naming the target.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Fills a temporary file (or directory, for {@link #writeDirectory}) that already exists. */
    @FunctionalInterface
    public interface FileBody {
        void write(Path tmp) throws IOException;
    }

    /** Writes to a (buffered) stream. */
    @FunctionalInterface
    public interface StreamBody {
        void write(OutputStream out) throws IOException;
    }

    /** Runs {@code body} on an empty temporary file beside {@code target}, then fsyncs it and renames it to {@code target}. */
    public static void write(Path target, FileBody body) {
        build(target, false, body, tmp -> {
            fsync(tmp);
            move(tmp, target, true);
        });
    }

    /** Streams {@code body} into {@code target} (64 KiB buffer). */
    public static void writeStream(Path target, StreamBody body) {
        write(target, tmp -> {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                body.write(out);
            }
        });
    }

    public static void writeBytes(Path target, byte[] bytes) {
        write(target, tmp -> Files.write(tmp, bytes));
    }

    /** Writes {@code text} as UTF-8. */
    public static void writeString(Path target, String text) {
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Builds a directory whole: {@code body} fills an empty temporary directory beside
     * {@code target}, which is then renamed to {@code target}; an existing {@code target} is moved
     * aside first (and restored if the rename fails) and deleted afterwards.
     */
    public static void writeDirectory(Path target, FileBody body) {
        Path out = target.toAbsolutePath().normalize();
        build(out, true, body, tmp -> install(tmp, out));
    }

    /** {@code body} fills a temporary sibling of {@code target}, {@code finish} puts it in place; deleted on failure. */
    private static void build(Path target, boolean directory, FileBody body, FileBody finish) {
        Path tmp = null;
        try {
            tmp = createSibling(target.toAbsolutePath(), "tmp", directory);
            body.write(tmp);
            finish.write(tmp);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    /** Renames the finished {@code tmp} to {@code out}, moving an existing {@code out} aside first. */
    private static void install(Path tmp, Path out) throws IOException {
        Path old = null;
        if (Files.exists(out)) {
            if (Files.isDirectory(out) && isEmptyDir(out)) {
                Files.delete(out);
            } else {
                old = createSibling(out, "old", true);
                Files.delete(old);
                move(out, old, false);
            }
        }
        try {
            move(tmp, out, false);
        } catch (IOException e) {
            if (old != null) {
                move(old, out, false);
            }
            throw e;
        }
        if (old != null) {
            deleteTree(old);
        }
    }

    /**
     * Creates a new empty file or directory {@code .<name>.<kind>-<random>} beside {@code target}
     * (creating the parent directories if needed), with the ordinary permissions.
     */
    static Path createSibling(Path target, String kind, boolean directory) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        for (int attempt = 0; ; attempt++) {
            String random = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
            Path p = parent.resolve("." + target.getFileName() + "." + kind + "-" + random);
            try {
                return directory ? Files.createDirectory(p) : Files.createFile(p);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    /** Flushes a file's content to the device. */
    private static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** Writes all of {@code b} (position to limit) to {@code ch} at its position. */
    static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Renames {@code from} to {@code to}, atomically where supported. */
    private static void move(Path from, Path to, boolean replace) throws IOException {
        try {
            if (replace) {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (AtomicMoveNotSupportedException e) {
            if (replace) {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.move(from, to);
            }
        }
    }

    /** Deletes a file or a directory tree, best effort (used on paths this code created). */
    public static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: what is left is hidden and named as a temporary
        }
    }

    static boolean isEmptyDir(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
