package prunekit.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What every fuzz target asserts: an input either loads or fails with prunekit's own error, whose
 * message names the file. Any other exception (or error) escapes, and Jazzer reports it as a finding.
 * Inputs are written to one temporary directory per JVM, under the name the parser expects.
 */
public final class FuzzInputs {
    /** prunekit's own error type for a bad file. */
    public static final Class<PrunekitException> OWN_ERROR = PrunekitException.class;

    private static Path dir;

    private FuzzInputs() {
    }

    /** The directory fuzz inputs are written to (created once, reused by every input). */
    public static synchronized Path dir() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("prunekit-fuzz");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            dir.toFile().deleteOnExit();
        }
        return dir;
    }

    /** A subdirectory of {@link #dir()} (created), so that targets in one JVM do not see each other's files. */
    public static Path dir(String sub) {
        Path p = dir().resolve(sub);
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Writes {@code data} to {@code name} in {@link #dir()}, replacing what an earlier input left. */
    public static Path write(String name, byte[] data) {
        Path p = dir().resolve(name);
        try {
            Files.createDirectories(p.getParent());
            Files.write(p, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        p.toFile().deleteOnExit();
        return p;
    }

    /** The one check: {@code load} succeeds, or throws {@link #OWN_ERROR} naming a file of the input. */
    public static void loadsOrFailsCleanly(Runnable load) {
        try {
            load.run();
        } catch (RuntimeException e) {
            if (!OWN_ERROR.isInstance(e)) {
                throw e;
            }
            if (e.getMessage() == null || !e.getMessage().contains(dir().toString())) {
                throw new AssertionError("the error does not name the input file (under " + dir() + "): "
                        + e.getMessage(), e);
            }
        }
    }
}
