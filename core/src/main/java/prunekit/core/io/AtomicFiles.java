package prunekit.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Writing by temporary name and rename, so that a reader never sees half a file: temporaries are
 * hidden siblings of the target ({@code .name.tmp-<random>}), created with the ordinary
 * permissions (umask), renamed atomically where the file system can, and deleted on failure.
 */
final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Fills a temporary file. */
    @FunctionalInterface
    interface FileBody {
        void write(Path tmp) throws IOException;
    }

    /** Runs {@code body} on a temporary file beside {@code target}, then renames it to {@code target}. */
    static void write(Path target, FileBody body) {
        Path tmp = null;
        try {
            tmp = createSibling(target.toAbsolutePath(), "tmp", false);
            body.write(tmp);
            move(tmp, target, true);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    /**
     * Creates a new empty file or directory {@code .<name>.<kind>-<random>} beside {@code target}
     * (creating the parent directories if needed).
     */
    static Path createSibling(Path target, String kind, boolean directory) throws IOException {
        Path parent = target.getParent();
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

    /** Renames {@code from} to {@code to}, atomically where supported. */
    static void move(Path from, Path to, boolean replace) throws IOException {
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
    static void deleteTree(Path root) {
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
