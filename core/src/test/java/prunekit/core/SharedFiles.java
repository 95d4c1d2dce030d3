package prunekit.core;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the project root and the {@code ../shared} folder beside it for tests. Tests that need
 * {@code ../shared} call {@link #require}; when it is absent they are skipped with a loud message
 * (a clone without shared/ still runs every other test).
 */
public final class SharedFiles {
    private SharedFiles() {
    }

    /** The reactor root (system property {@code prunekit.root}, set by surefire). */
    public static Path projectRoot() {
        String p = System.getProperty("prunekit.root");
        Path start = p != null ? Path.of(p) : Path.of("").toAbsolutePath();
        for (Path d = start.toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("core")) && Files.isRegularFile(d.resolve("pom.xml"))) {
                return d;
            }
        }
        return start.toAbsolutePath();
    }

    /** A file shipped in the project repo (e.g. {@code models/stories260K.gguf}); fails if missing. */
    public static Path project(String relative) {
        Path f = projectRoot().resolve(relative);
        if (!Files.exists(f)) {
            throw new IllegalStateException("project file missing: " + f);
        }
        return f;
    }

    public static Path sharedDir() {
        return projectRoot().resolveSibling("shared");
    }

    /** A file under ../shared; the calling test is skipped, saying so, when it is absent. */
    public static Path require(String relative) {
        Path f = sharedDir().resolve(relative);
        if (!Files.exists(f)) {
            String msg = "SKIPPED (needs ../shared): " + f + " is absent";
            System.err.println(msg);
            Assumptions.assumeTrue(false, msg);
        }
        return f;
    }
}
