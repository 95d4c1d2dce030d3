package prunekit.pipeline.recipe;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import prunekit.core.io.Json;
import prunekit.core.io.Sha256;
import prunekit.pipeline.RunDirectory;

/**
 * Runs a recipe's stages so that each one is done once: a stage's directory RUN/KIND/NAME gets a
 * marker ({@code stage.json}: its key, settings, inputs, the sha256 of every output, its result and
 * time) written last, after every output is complete. Its key is the sha256 of its kind, settings and
 * the sha256 of its inputs. A stage whose marker has the same key and whose outputs still hash as
 * recorded is reused; anything else (no marker: a killed run; another key; a changed output; a kind
 * forced by {@code --from}) empties the directory and runs the stage again.
 */
final class StageCache {
    static final String MARKER = "stage.json";

    /** The stage's work: writes into {@code dir} and returns the numbers later stages and the manifest need. */
    @FunctionalInterface
    interface Body {
        JsonObject run(Path dir) throws Exception;
    }

    /** A finished stage: where, its key, its outputs' sha256, its result, its time, and whether it was reused. */
    record Done(StageKind kind, String name, Path dir, String key, Map<String, String> outputs, JsonObject result,
                double seconds, boolean reused) {
        /** One sha256 for all the outputs (what a later stage's key takes as this input). */
        String digest() {
            return Sha256.ofText(Json.format(Json.tree(new TreeMap<>(outputs))));
        }
    }

    private final Path run;
    private final StageKind from;

    /** {@code from} null: reuse whatever is valid. */
    StageCache(Path run, StageKind from) {
        this.run = run;
        this.from = from;
    }

    Done run(StageKind kind, String name, Map<String, Object> settings, Map<String, String> inputs, Body body)
            throws Exception {
        Path dir = run.resolve(kind.id()).resolve(name);
        Map<String, Object> keyed = new LinkedHashMap<>();
        keyed.put("kind", kind.id());
        keyed.put("settings", new TreeMap<>(settings));
        keyed.put("inputs", new TreeMap<>(inputs));
        String key = Sha256.ofText(Json.format(Json.tree(keyed)));
        boolean forced = from != null && kind.compareTo(from) >= 0;
        Done reused = forced ? null : reusable(kind, name, dir, key);
        if (reused != null) {
            return reused;
        }
        if (Files.isDirectory(dir)) {
            RunDirectory.deleteContents(dir);
        }
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        JsonObject result = body.run(dir);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, String> outputs = hashOutputs(dir);
        JsonObject marker = new JsonObject();
        marker.addProperty("kind", kind.id());
        marker.addProperty("name", name);
        marker.addProperty("key", key);
        marker.add("settings", Json.tree(new TreeMap<>(settings)));
        marker.add("inputs_sha256", Json.tree(new TreeMap<>(inputs)));
        marker.add("outputs_sha256", Json.tree(outputs));
        marker.add("result", result);
        marker.addProperty("seconds", seconds);
        Json.write(dir.resolve(MARKER), marker, Json.Layout.EXPANDED);
        return new Done(kind, name, dir, key, outputs, result, seconds, false);
    }

    private static Done reusable(StageKind kind, String name, Path dir, String key) throws IOException {
        Path m = dir.resolve(MARKER);
        if (!Files.isRegularFile(m)) {
            return null;
        }
        JsonObject marker;
        try {
            marker = JsonParser.parseString(Files.readString(m)).getAsJsonObject();
        } catch (RuntimeException e) {
            return null;
        }
        if (!marker.has("key") || !key.equals(marker.get("key").getAsString())) {
            return null;
        }
        Map<String, String> recorded = new TreeMap<>();
        for (Map.Entry<String, JsonElement> e : marker.getAsJsonObject("outputs_sha256").entrySet()) {
            recorded.put(e.getKey(), e.getValue().getAsString());
        }
        if (!recorded.equals(hashOutputs(dir))) {
            return null;
        }
        return new Done(kind, name, dir, key, recorded, marker.getAsJsonObject("result"),
                marker.get("seconds").getAsDouble(), true);
    }

    /** The sha256 of every regular file below {@code dir} but the marker, by relative path ('/' separated). */
    static Map<String, String> hashOutputs(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            String rel = dir.relativize(f).toString().replace('\\', '/');
            if (!rel.equals(MARKER)) {
                out.put(rel, Sha256.of(f));
            }
        }
        return out;
    }

    /** The sha256 of a file, or of a folder's files (their relative paths and sha256, in order). */
    static String digest(Path fileOrDir) throws IOException {
        if (Files.isRegularFile(fileOrDir)) {
            return Sha256.of(fileOrDir);
        }
        return Sha256.ofText(Json.format(Json.tree(hashOutputs(fileOrDir))));
    }
}
