package prunekit.pipeline;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import prunekit.core.io.Json;
import prunekit.core.io.Sha256;

/**
 * A job's run directory: {@code manifest.json} records the job, its command lines, the sha256 of
 * every input, versions and time. A directory that holds an earlier run of the same job is
 * cleared before a new run; anything else that is not empty is refused, never overwritten.
 */
public final class RunDirectory {
    public static final String MANIFEST = "manifest.json";

    private RunDirectory() {
    }

    public static void prepare(Path dir, String job) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    if (!job.equals(jobOf(dir.resolve(MANIFEST)))) {
                        throw new IllegalArgumentException(dir + " is not empty and holds no earlier '" + job
                                + "' run; give another --out");
                    }
                    deleteContents(dir);
                }
            }
        }
        Files.createDirectories(dir);
    }

    /** "prunekit VERSION" from the jar manifest, or "prunekit dev". */
    public static String version() {
        String v = RunDirectory.class.getPackage().getImplementationVersion();
        return "prunekit " + (v == null ? "dev" : v);
    }

    private static String jobOf(Path manifest) {
        try {
            JsonObject o = JsonParser.parseString(Files.readString(manifest)).getAsJsonObject();
            return o.has("job") ? o.get("job").getAsString() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    public static void writeManifest(Path dir, String job, List<String> commands, List<Path> inputs) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", job);
        m.put("finished", Instant.now().toString());
        m.put("prunekit", version());
        m.put("java", System.getProperty("java.version"));
        m.put("commands", commands);
        Map<String, String> sums = new LinkedHashMap<>();
        for (Path p : inputs) {
            sums.put(p.toString(), Sha256.of(p));
        }
        m.put("inputs_sha256", sums);
        Json.write(dir.resolve(MANIFEST), Json.tree(m), Json.Layout.EXPANDED);
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
