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
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The claim a writing command takes on its output at the start of its work, before anything is read
 * or computed: the path is non-empty, neither is nor lies inside an input (real paths; an input inside
 * an output that would be replaced counts too), is writable and does not exist unless {@code --overwrite}.
 * The claim then holds an exclusive lock ({@code .NAME.lock} beside the output; a second prunekit on the
 * same output is refused) and removes what killed runs left: hidden temporaries of {@link AtomicFiles}.
 *
 * <p>A directory output is visibly incomplete while it is written: {@value #INCOMPLETE} is created in it
 * first and removed by {@link #commit()} last. The next run on an incomplete directory cleans it (or,
 * for a resumable run with {@code --resume}, continues it). {@code --overwrite} of a complete directory
 * moves it aside to a hidden {@code .NAME.old-*} sibling and deletes that only once the new one is
 * complete; a run that fails or is killed gets the old directory back (at once, or on the next run).
 */
public final class OutputGuard implements AutoCloseable {
    public static final String INCOMPLETE = "INCOMPLETE";
    private static final Pattern TEMP = Pattern.compile("^\\..+\\.tmp-[0-9a-f]+$");

    /** What a command writes and whether its runs continue with {@code --resume}. */
    public enum Kind { FILE, DIRECTORY, RESUMABLE_DIRECTORY }

    private final Path out;
    private final Kind kind;
    private final FileChannel lockChannel;
    private final Path lockFile;
    private Path backup;
    private boolean committed;

    private OutputGuard(Path out, Kind kind, FileChannel lockChannel, Path lockFile) {
        this.out = out;
        this.kind = kind;
        this.lockChannel = lockChannel;
        this.lockFile = lockFile;
    }

    /** Claims a file output (written through {@link AtomicFiles}; no marker). */
    public static OutputGuard file(Path out, boolean overwrite, Collection<Path> inputs) {
        return claim(out, Kind.FILE, overwrite, false, inputs);
    }

    /** Claims a directory output; {@code resume} only for {@link Kind#RESUMABLE_DIRECTORY}. */
    public static OutputGuard directory(Path out, Kind kind, boolean overwrite, boolean resume, Collection<Path> inputs) {
        if (kind == Kind.FILE || (resume && kind != Kind.RESUMABLE_DIRECTORY)) {
            throw new IllegalArgumentException("directory claim of kind " + kind + (resume ? " with resume" : ""));
        }
        return claim(out, kind, overwrite, resume, inputs);
    }

    private static OutputGuard claim(Path out, Kind kind, boolean overwrite, boolean resume, Collection<Path> inputs) {
        Path abs = checkPaths(out, kind, overwrite, inputs);
        Path lock = abs.getParent().resolve("." + abs.getFileName() + ".lock");
        OutputGuard g = new OutputGuard(abs, kind, lockOrRefuse(abs, lock), lock);
        try {
            g.prepare(overwrite, resume, inputs);
            return g;
        } catch (IOException e) {
            g.close();
            throw new UncheckedIOException("cannot prepare " + abs + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
    }

    /** The checks that need no lock: empty path, inputs, type and writability, existence. */
    static Path checkPaths(Path out, Kind kind, boolean overwrite, Collection<Path> inputs) {
        if (out == null || out.toString().isBlank()) {
            throw new IllegalArgumentException("the output path is empty (an unset variable?): give --out a path");
        }
        Path abs = out.toAbsolutePath().normalize();
        if (abs.getParent() == null) {
            throw new IllegalArgumentException("cannot write to " + abs + ": give a path below it");
        }
        Path realOut = real(abs);
        for (Path in : inputs.stream().filter(Objects::nonNull).toList()) {
            Path realIn = real(in.toAbsolutePath().normalize());
            if (realOut.startsWith(realIn)) {
                throw new IllegalArgumentException("output " + out + (realOut.equals(realIn) ? " is the input " : " is inside the input ")
                        + in + ": writing there would destroy it; choose another output path");
            }
            if (realIn.startsWith(realOut) && overwrite && Files.exists(abs)) {
                throw new IllegalArgumentException("input " + in + " is inside " + out + ", which --overwrite would replace;"
                        + " choose another output path");
            }
        }
        boolean isDir = Files.isDirectory(abs);
        if (kind == Kind.FILE && isDir) {
            throw new IllegalArgumentException(out + " is a directory; give a file name for the output");
        }
        if (kind != Kind.FILE && Files.exists(abs) && !isDir) {
            throw new IllegalArgumentException(out + " is a file; the output is a directory: give another path");
        }
        if (kind == Kind.FILE && Files.exists(abs) && !overwrite) {
            throw new IllegalArgumentException(out + " exists: pass --overwrite to replace it (it is replaced only once the"
                    + " new one is complete) or choose another path");
        }
        Path ancestor = abs.getParent();
        while (!Files.exists(ancestor)) {
            ancestor = ancestor.getParent();
        }
        Path probe = isDir ? abs : ancestor;
        if (!Files.isDirectory(ancestor) || !Files.isWritable(probe)) {
            throw new IllegalArgumentException("cannot write " + out + ": " + probe + (Files.isDirectory(ancestor)
                    ? " is not writable" : " is not a directory") + "; choose another output path");
        }
        return abs;
    }

    /** The real path of {@code p}, or of its nearest existing ancestor with the rest appended. */
    private static Path real(Path p) {
        Path existing = p;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            return existing == null ? p : existing.toRealPath().resolve(existing.relativize(p)).normalize();
        } catch (IOException e) {
            return p;
        }
    }

    private static FileChannel lockOrRefuse(Path out, Path lock) {
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
                    throw new IllegalStateException(busy);
                }
                String token = UUID.randomUUID().toString();
                ch.truncate(0).write(ByteBuffer.wrap(token.getBytes(StandardCharsets.UTF_8)), 0);
                if (Files.exists(lock) && Files.readString(lock).equals(token)) {
                    return ch; // the file we locked is still the one named .NAME.lock
                }
                ch.close(); // an earlier holder deleted it between our open and lock: retry on the new one
            }
            throw new IllegalStateException(busy);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + lock + ": " + e.getMessage(), e);
        }
    }

    /** Under the lock: restore or drop backups, clean temporaries, decide what the existing output is. */
    private void prepare(boolean overwrite, boolean resume, Collection<Path> inputs) throws IOException {
        Path parent = out.getParent();
        String name = out.getFileName().toString();
        for (Path p : siblings(parent, "." + name + ".tmp-")) {
            AtomicFiles.deleteTree(p);
        }
        List<Path> backups = siblings(parent, "." + name + ".old-");
        if (kind == Kind.FILE) {
            return;
        }
        boolean complete = Files.isDirectory(out) && !Files.exists(out.resolve(INCOMPLETE));
        for (Path b : backups) {
            if (complete) {
                AtomicFiles.deleteTree(b); // a killed --overwrite after its new output was complete
            } else {
                AtomicFiles.deleteTree(out); // a killed --overwrite before: the old output comes back
                Files.move(b, out);
                complete = true;
            }
        }
        if (Files.isDirectory(out) && !AtomicFiles.isEmptyDir(out)) {
            if (!complete) {
                if (kind == Kind.RESUMABLE_DIRECTORY && !resume && !overwrite) {
                    throw new IllegalArgumentException(out + " holds an unfinished run: pass --resume to continue it or"
                            + " --overwrite to start over");
                }
                if (!resume) {
                    refuseInputsInside(inputs);
                    deleteContents(out);
                }
            } else if (overwrite && !resume) {
                backup = AtomicFiles.createSibling(out, "old", true);
                Files.delete(backup);
                Files.move(out, backup);
            } else if (!resume) {
                throw new IllegalArgumentException(out + " exists and is not empty: pass --overwrite to replace it (the old"
                        + " one is kept until the new one is complete) or choose another --out");
            }
        }
        Files.createDirectories(out);
        deleteStaleTemporaries(out);
        Files.writeString(out.resolve(INCOMPLETE), "prunekit has not finished writing this directory; run the command"
                + " again (with --resume where it has one) or delete it\n");
    }

    private void refuseInputsInside(Collection<Path> inputs) {
        for (Path in : inputs.stream().filter(Objects::nonNull).toList()) {
            if (real(in.toAbsolutePath().normalize()).startsWith(real(out))) {
                throw new IllegalArgumentException("input " + in + " is inside the unfinished run " + out
                        + ", which would be cleaned; choose another output path");
            }
        }
    }

    private static void deleteContents(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                AtomicFiles.deleteTree(p);
            }
        }
    }

    /** Removes the hidden temporaries of {@link AtomicFiles} anywhere below {@code dir} (killed writers'). */
    private static void deleteStaleTemporaries(Path dir) throws IOException {
        List<Path> stale;
        try (Stream<Path> s = Files.walk(dir)) {
            stale = s.filter(p -> TEMP.matcher(p.getFileName().toString()).matches()).toList();
        }
        stale.forEach(AtomicFiles::deleteTree);
    }

    private static List<Path> siblings(Path parent, String prefix) throws IOException {
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(parent)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
        }
    }

    /** The output as claimed (absolute). */
    public Path path() {
        return out;
    }

    /** Marks the output complete: removes {@value #INCOMPLETE}, then the old output {@code --overwrite} replaced. */
    public void commit() {
        try {
            if (kind != Kind.FILE) {
                Files.deleteIfExists(out.resolve(INCOMPLETE));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot finish " + out + ": " + e.getMessage(), e);
        }
        committed = true;
        if (backup != null) {
            AtomicFiles.deleteTree(backup);
            backup = null;
        }
    }

    /** {@link #commit()} when {@code exitCode} is 0; returns it. */
    public int commitIf(int exitCode) {
        if (exitCode == 0) {
            commit();
        }
        return exitCode;
    }

    /** Test seam: what {@code kill -9} leaves: the lock released with the process, nothing committed or restored. */
    void abandonForTest() {
        try {
            lockChannel.close();
        } catch (IOException ignored) {
            // as a dead process
        }
    }

    /** Releases the lock; without a commit the output replaced by {@code --overwrite} is put back. */
    @Override
    public void close() {
        try {
            if (!committed && backup != null) {
                AtomicFiles.deleteTree(out);
                Files.move(backup, out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore " + out + " from " + backup + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(lockFile);
                lockChannel.close();
            } catch (IOException ignored) {
                // the lock goes with the channel; a left lock file is harmless
            }
        }
    }
}
