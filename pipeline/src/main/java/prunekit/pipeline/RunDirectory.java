package prunekit.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import prunekit.core.io.OutputGuard;

/**
 * A recipe's run directory: empty, or holding an earlier run (its {@code manifest.json}), whose
 * stages a new run reuses or redoes. Anything else that is not empty is refused, never overwritten.
 */
public final class RunDirectory {
    public static final String MANIFEST = "manifest.json";

    private RunDirectory() {
    }

    /**
     * Refuses {@code dir} when it is not empty and holds neither an earlier run's manifest nor the
     * {@link OutputGuard#INCOMPLETE} marker of a run killed before its first manifest; creates nothing
     * (the run's {@link OutputGuard} does, after its checks).
     */
    public static void prepare(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent() && !Files.isRegularFile(dir.resolve(MANIFEST))
                        && !Files.isRegularFile(dir.resolve(OutputGuard.INCOMPLETE))) {
                    throw new IllegalArgumentException(dir + " is not empty and holds no earlier prunekit run"
                            + " (no " + MANIFEST + "); give another --out");
                }
            }
        }
    }

    /** "prunekit VERSION" from the jar manifest, or "prunekit dev". */
    public static String version() {
        String v = RunDirectory.class.getPackage().getImplementationVersion();
        return "prunekit " + (v == null ? "dev" : v);
    }

    /** Deletes everything below {@code dir}, leaving {@code dir} itself. */
    public static void deleteContents(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir)) {
                    Files.delete(p);
                }
            }
        }
    }
}
