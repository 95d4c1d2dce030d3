package prunekit.recover;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import prunekit.core.io.AtomicFiles;
import prunekit.core.io.FormatException;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.io.NonFinite;
import prunekit.core.io.HfConfigJson;
import prunekit.core.io.Json;
import prunekit.core.io.SafetensorsFile;
import prunekit.core.io.SafetensorsWriter;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaWeights;

/**
 * A resumable snapshot of a run in {@code OUT/checkpoints/step-NNNNNN/}: the weights as an fp32 HF
 * checkpoint ({@code config.json}, {@code model.safetensors}, loadable on its own), the AdamW
 * moments ({@code optimizer.safetensors}) and {@code trainer_state.json} (step, update count,
 * tokens, seconds, recipe, data sampler seed, the log so far). Everything is written into a hidden
 * temporary directory that is renamed into place when complete, so a run killed at any moment
 * leaves either the whole checkpoint or none; the oldest checkpoints beyond {@code keep} are removed.
 */
public final class TrainCheckpoint {
    public static final String DIR = "checkpoints";
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    public static final String STATE_FILE = "trainer_state.json";
    private static final String PREFIX = "step-";
    private static final String NON_FINITE = "non-finite-";

    /** A checkpoint read back. */
    public record Loaded(Path dir, int step, LlamaWeights weights, Map<String, FloatTensor> optimizer,
                         JsonObject state) {
    }

    private TrainCheckpoint() {
    }

    public static Path root(Path outDir) {
        return outDir.resolve(DIR);
    }

    /** Writes the checkpoint of {@code step}; returns its directory. */
    public static Path write(Path outDir, int step, LlamaWeights weights, Map<String, FloatTensor> optimizer,
                             JsonObject state, int keep) {
        Path root = root(outDir).toAbsolutePath().normalize();
        Path target = root.resolve(String.format("%s%06d", PREFIX, step));
        String bad = nonFinite(weights.tensors(), optimizer);
        if (bad != null) {
            throw new IllegalStateException("step " + step + " left non-finite values in " + bad + "; no checkpoint was"
                    + " written and the earlier ones in " + root + " are kept: resume from them with a lower --lr or"
                    + " a --clip");
        }
        AtomicFiles.writeDirectory(target, tmp -> {
            HfConfigJson.write(weights.config(), DType.F32, tmp.resolve(HfConfigJson.FILE_NAME));
            SafetensorsWriter.write(tmp.resolve(SafetensorsWriter.SINGLE_FILE), weights.tensors(), DType.F32);
            SafetensorsWriter.write(tmp.resolve(OPTIMIZER_FILE), optimizer, DType.F32);
            writeJson(tmp.resolve(STATE_FILE), state);
        });
        prune(root, keep);
        return target;
    }

    /**
     * The complete checkpoint with the highest step under {@code outDir} whose values are all finite,
     * if any. A newer one with NaN or infinite values (written by another tool, or damaged) is never
     * resumed from: it is renamed {@code non-finite-step-NNNNNN}, out of resuming's and rotation's way.
     */
    public static Optional<Loaded> latest(Path outDir) {
        List<Path> dirs = complete(root(outDir));
        for (int i = dirs.size() - 1; i >= 0; i--) {
            Path dir = dirs.get(i);
            Loaded ck = NonFinite.unscanned(() -> read(dir));
            if (nonFinite(ck.weights().tensors(), ck.optimizer()) == null) {
                return Optional.of(ck);
            }
            try {
                Files.move(dir, dir.resolveSibling(NON_FINITE + dir.getFileName()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot set aside the non-finite checkpoint " + dir + ": " + e.getMessage(), e);
            }
        }
        return Optional.empty();
    }

    /** The first tensor of {@code groups} holding a NaN or an infinity ("name: 12 non-finite"), or null. */
    @SafeVarargs
    static String nonFinite(Map<String, FloatTensor>... groups) {
        for (Map<String, FloatTensor> g : groups) {
            for (Map.Entry<String, FloatTensor> e : g.entrySet()) {
                long n = 0;
                for (float v : e.getValue().data()) {
                    if (!Float.isFinite(v)) {
                        n++;
                    }
                }
                if (n > 0) {
                    return e.getKey() + " (" + n + " non-finite)";
                }
            }
        }
        return null;
    }

    /** True when {@code outDir} holds at least one complete checkpoint. */
    public static boolean exists(Path outDir) {
        return !complete(root(outDir)).isEmpty();
    }

    public static Loaded read(Path dir) {
        JsonObject state;
        Path file = dir.resolve(STATE_FILE);
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!e.isJsonObject() || !e.getAsJsonObject().has("step") || !e.getAsJsonObject().get("step").isJsonPrimitive()) {
                throw new FormatException(file, "not a trainer state (a JSON object with \"step\")");
            }
            state = e.getAsJsonObject();
            state.get("step").getAsInt();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (JsonParseException | NumberFormatException e) {
            throw new FormatException(file, "not a trainer state prunekit wrote (" + e.getMessage() + "); delete "
                    + dir + " to resume from the checkpoint before it", e);
        }
        LlamaWeights weights = HfCheckpoint.read(dir).weights();
        Map<String, FloatTensor> opt = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(OPTIMIZER_FILE))) {
            for (String name : f.names()) {
                opt.put(name, f.read(name));
            }
        }
        return new Loaded(dir, state.get("step").getAsInt(), weights, opt, state);
    }

    /** Writes {@code json} to {@code file} through a temporary file and a rename. */
    public static void writeJson(Path file, JsonObject json) {
        Json.write(file, json, Json.Layout.EXPANDED);
    }

    /** Complete checkpoint directories (with a state file) in step order; temporaries are ignored. */
    private static List<Path> complete(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith(PREFIX))
                    .filter(p -> Files.isRegularFile(p.resolve(STATE_FILE)))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
    }

    private static void prune(Path root, int keep) {
        List<Path> dirs = complete(root);
        for (int i = 0; i < dirs.size() - keep; i++) {
            AtomicFiles.deleteTree(dirs.get(i));
        }
        try (Stream<Path> s = Files.list(root)) {
            s.filter(p -> p.getFileName().toString().startsWith("." + PREFIX)).forEach(AtomicFiles::deleteTree);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
    }
}
