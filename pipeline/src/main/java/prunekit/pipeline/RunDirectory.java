package prunekit.pipeline;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

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
            sums.put(p.toString(), sha256(p));
        }
        m.put("inputs_sha256", sums);
        Path tmp = dir.resolve(MANIFEST + ".tmp");
        Files.writeString(tmp, Json.GSON.toJson(m), StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(MANIFEST), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read (" + e.getMessage() + ")", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
