package prunekit.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The claim a writing command takes on its output at the start of its work, before anything is read
 * or computed: the path is non-empty, neither is nor lies inside an input (real paths; an input inside
 * an output that would be replaced counts too), is writable and does not exist unless {@code --overwrite}.
 * The claim then holds an exclusive lock ({@link OutputLock}: {@code .NAME.lock} beside the output; a
 * second prunekit on the same output is refused) and removes what killed runs left: hidden temporaries
 * of {@link AtomicFiles}.
 *
 * <p>A run directory is visibly incomplete while it is written: {@value #INCOMPLETE}, naming the entries
 * being written, is created in it first and removed by {@link #commit()} last. The next run on it cleans
 * those entries (or, with {@code --resume}, continues them). {@code --overwrite} moves an existing output
 * aside to a hidden {@code .NAME.old-*} sibling and deletes that only once the new one is complete; a run
 * that fails or is killed gets the old output back (at once, or on the next run).
 */
public final class OutputGuard implements AutoCloseable {
    public static final String INCOMPLETE = "INCOMPLETE";
    private static final String ALL = "*";
    private static final Pattern TEMP = Pattern.compile("^\\..+\\.tmp-[0-9a-f]+$");

    /**
     * What a command writes: a file or a directory built whole ({@link AtomicFiles}: it appears complete
     * or not at all), or entries of a run directory filled step by step, or a whole run directory that
     * {@code --resume} may continue.
     */
    private enum Kind { FILE, WHOLE_DIRECTORY, DIRECTORY, RESUMABLE_DIRECTORY }

    private final Path out;
    private final Kind kind;
    private final OutputLock lock;
    private final List<Path> backups = new ArrayList<>();
    private boolean committed;
    private boolean prepared;
    private boolean created;
    private List<String> entries;

    private OutputGuard(Path out, Kind kind, OutputLock lock) {
        this.out = out;
        this.kind = kind;
        this.lock = lock;
    }

    /** Claims a file output (written through {@link AtomicFiles}; no marker). */
    public static OutputGuard file(Path out, boolean overwrite, Collection<Path> inputs) {
        return claim(out, Kind.FILE, null, overwrite, false, inputs);
    }

    /** Claims a directory that its writer builds whole ({@link AtomicFiles#writeDirectory}: an HF checkpoint). */
    public static OutputGuard wholeDirectory(Path out, boolean overwrite, Collection<Path> inputs) {
        return claim(out, Kind.WHOLE_DIRECTORY, null, overwrite, false, inputs);
    }

    /**
     * Claims {@code entries} (file or directory names) of a run directory that several stages share
     * ({@code score} writes scores.json, {@code prune} plan.json and pruned/ beside it): only those
     * must not exist unless {@code overwrite}.
     */
    public static OutputGuard runEntries(Path dir, List<String> entries, boolean overwrite, Collection<Path> inputs) {
        return claim(dir, Kind.DIRECTORY, List.copyOf(entries), overwrite, false, inputs);
    }

    /** Claims a whole run directory that {@code resume} may continue (recover, train). */
    public static OutputGuard resumableDirectory(Path dir, boolean overwrite, boolean resume, Collection<Path> inputs) {
        return claim(dir, Kind.RESUMABLE_DIRECTORY, null, overwrite, resume, inputs);
    }

    private static OutputGuard claim(Path out, Kind kind, List<String> entries, boolean overwrite, boolean resume,
                                     Collection<Path> inputs) {
        Path abs = checkPaths(out, kind, overwrite, inputs);
        OutputGuard g = new OutputGuard(abs, kind, OutputLock.acquire(abs));
        try {
            g.prepare(entries, overwrite, resume, inputs);
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
            if (realIn.startsWith(realOut) && overwrite && Files.exists(abs) && (kind == Kind.FILE || kind == Kind.WHOLE_DIRECTORY)) {
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

    /** Under the lock: drop killed writers' temporaries, restore or drop backups, decide about what exists. */
    private void prepare(List<String> entries, boolean overwrite, boolean resume, Collection<Path> inputs) throws IOException {
        for (Path p : listMatching(out.getParent(), "\\." + Pattern.quote(out.getFileName().toString()) + "\\.tmp-[0-9a-f]+")) {
            AtomicFiles.deleteTree(p);
        }
        if (kind == Kind.FILE) {
            return;
        }
        if (kind == Kind.WHOLE_DIRECTORY) {
            prepareWhole(overwrite);
            return;
        }
        created = !Files.exists(out);
        if (created) {
            // Born holding the marker (built as a hidden sibling, then renamed), so that a kill right after
            // the claim leaves a visibly unfinished directory, never an empty one that looks complete.
            Path born = AtomicFiles.createSibling(out, "tmp", true);
            Files.writeString(born.resolve(INCOMPLETE), ALL + "\n");
            Files.move(born, out, StandardCopyOption.ATOMIC_MOVE);
        }
        Set<String> unfinished = created ? Set.of() : restoreAfterKill();
        if (!unfinished.isEmpty()) {
            if (kind == Kind.RESUMABLE_DIRECTORY && !resume && !overwrite) {
                throw new IllegalArgumentException(out + " holds an unfinished run: pass --resume to continue it or"
                        + " --overwrite to start over");
            }
            if (!resume) {
                List<String> partial = unfinished.contains(ALL) ? visibleEntries() : List.copyOf(unfinished);
                refuseInputsInside(partial, inputs, "the unfinished run's");
                for (String e : partial) {
                    AtomicFiles.deleteTree(out.resolve(e));
                }
            }
        }
        List<String> existing = entries == null ? visibleEntries()
                : entries.stream().filter(e -> Files.exists(out.resolve(e))).toList();
        if (!existing.isEmpty() && !resume) {
            if (!overwrite) {
                throw new IllegalArgumentException(out + " already holds " + String.join(", ", existing) + ": pass --overwrite"
                        + " to replace " + (existing.size() == 1 ? "it" : "them") + " (kept until the new output is complete)"
                        + (kind == Kind.RESUMABLE_DIRECTORY ? ", --resume to continue its run," : "") + " or choose another --out");
            }
            refuseInputsInside(existing, inputs, "--overwrite's");
            for (String e : existing) {
                Path b = AtomicFiles.createSibling(out.resolve(e), "old", true);
                Files.delete(b);
                Files.move(out.resolve(e), b);
                backups.add(b);
            }
        }
        deleteStaleTemporaries(out);
        this.entries = entries;
        this.prepared = true;
        if (resume && unfinished.isEmpty() && !existing.isEmpty()) {
            return; // a finished run resumed: its recipe fixes the steps, so nothing is left to write
        }
        Files.writeString(out.resolve(INCOMPLETE), String.join("\n", entries == null ? List.of(ALL) : entries) + "\n"
                + "# prunekit has not finished writing the entries above; run the command again (with --resume where it has"
                + " one): it cleans or continues them\n");
    }

    /** A directory built whole: an existing one is moved aside with --overwrite (back if the new one never comes). */
    private void prepareWhole(boolean overwrite) throws IOException {
        for (Path b : listMatching(out.getParent(), "\\." + Pattern.quote(out.getFileName().toString()) + "\\.old-[0-9a-f]+")) {
            if (Files.exists(out)) {
                AtomicFiles.deleteTree(b); // killed after the new one was installed
            } else {
                Files.move(b, out); // killed before: the old one comes back
            }
        }
        if (Files.isDirectory(out) && !AtomicFiles.isEmptyDir(out)) {
            if (!overwrite) {
                throw new IllegalArgumentException(out + " exists and is not empty: pass --overwrite to replace it (it is"
                        + " replaced only once the new one is complete) or choose another path");
            }
            Path b = AtomicFiles.createSibling(out, "old", true);
            Files.delete(b);
            Files.move(out, b);
            backups.add(b);
        }
    }

    /**
     * After a killed run: the entries its {@value #INCOMPLETE} names, each put back from its backup
     * where {@code --overwrite} moved an old one aside; backups of a completed run are dropped.
     * Returns the entries left unfinished (none when the directory is complete).
     */
    private Set<String> restoreAfterKill() throws IOException {
        Path marker = out.resolve(INCOMPLETE);
        Set<String> unfinished = new LinkedHashSet<>();
        if (Files.exists(marker)) {
            Files.readAllLines(marker).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(unfinished::add);
            if (unfinished.isEmpty()) {
                unfinished.add(ALL);
            }
        }
        for (Path b : listMatching(out, "\\..+\\.old-[0-9a-f]+")) {
            String name = b.getFileName().toString();
            String entry = name.substring(1, name.lastIndexOf(".old-"));
            if (unfinished.contains(entry) || unfinished.contains(ALL)) {
                AtomicFiles.deleteTree(out.resolve(entry));
                Files.move(b, out.resolve(entry));
                unfinished.remove(entry);
            } else {
                AtomicFiles.deleteTree(b);
            }
        }
        return unfinished;
    }

    private List<String> visibleEntries() throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".") && !n.equals(INCOMPLETE))
                    .sorted().toList();
        }
    }

    private void refuseInputsInside(List<String> entries, Collection<Path> inputs, String what) {
        for (Path in : inputs.stream().filter(Objects::nonNull).toList()) {
            Path realIn = real(in.toAbsolutePath().normalize());
            for (String e : entries) {
                if (realIn.startsWith(real(out.resolve(e)))) {
                    throw new IllegalArgumentException("input " + in + " is among " + what + " outputs in " + out
                            + ", which would be replaced; choose another output path");
                }
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

    /** The entries of {@code dir} whose whole name matches {@code regex}. */
    private static List<Path> listMatching(Path dir, String regex) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        Pattern p = Pattern.compile(regex);
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> p.matcher(f.getFileName().toString()).matches()).sorted().toList();
        }
    }

    /** The output as claimed (absolute). */
    public Path path() {
        return out;
    }

    /** Marks the output complete: removes {@value #INCOMPLETE}, then the old output {@code --overwrite} replaced. */
    public void commit() {
        try {
            if (kind == Kind.DIRECTORY || kind == Kind.RESUMABLE_DIRECTORY) {
                Files.deleteIfExists(out.resolve(INCOMPLETE));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot finish " + out + ": " + e.getMessage(), e);
        }
        committed = true;
        backups.forEach(AtomicFiles::deleteTree);
        backups.clear();
    }

    /** {@link #commit()} when {@code exitCode} is 0; returns it. */
    public int commitIf(int exitCode) {
        if (exitCode == 0) {
            commit();
        }
        return exitCode;
    }

    /**
     * After a failure: the marker goes when every claimed entry is old again or absent (nothing partial
     * is left), and so does the directory when this claim created it and it is empty.
     */
    private void dropMarkerIfNothingNew(Set<String> restored) throws IOException {
        if (!prepared || kind == Kind.FILE || kind == Kind.WHOLE_DIRECTORY) {
            return;
        }
        List<String> claimed = entries == null ? visibleEntries() : entries;
        if (claimed.stream().allMatch(e -> restored.contains(e) || !Files.exists(out.resolve(e)))) {
            Files.deleteIfExists(out.resolve(INCOMPLETE));
            if (created && AtomicFiles.isEmptyDir(out)) {
                Files.delete(out); // a refused run leaves nothing behind
            }
        }
    }

    /** Test seam: what {@code kill -9} leaves: the lock released with the process, nothing committed or restored. */
    void abandonForTest() {
        lock.abandon();
    }

    /** Releases the lock; without a commit the output replaced by {@code --overwrite} is put back. */
    @Override
    public void close() {
        try {
            if (!committed) {
                Set<String> restored = new LinkedHashSet<>();
                for (Path b : backups) {
                    String name = b.getFileName().toString();
                    Path original = b.resolveSibling(name.substring(1, name.lastIndexOf(".old-")));
                    AtomicFiles.deleteTree(original);
                    Files.move(b, original);
                    restored.add(original.getFileName().toString());
                }
                dropMarkerIfNothingNew(restored);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot put back the old output in " + out + " from " + backups + ": "
                    + e.getMessage(), e);
        } finally {
            lock.close();
        }
    }
}
