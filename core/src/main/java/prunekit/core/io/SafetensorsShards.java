package prunekit.core.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;

/**
 * The weights of a Hugging Face checkpoint directory as one name → tensor view: either
 * {@code model.safetensors}, or every shard listed by {@code model.safetensors.index.json} (each
 * shard opened, every {@code weight_map} entry found in the shard it names).
 */
final class SafetensorsShards implements AutoCloseable {
    private final Path source;
    private final Map<String, SafetensorsFile> byName;
    private final Map<Path, SafetensorsFile> files;

    private SafetensorsShards(Path source, Map<String, SafetensorsFile> byName, Map<Path, SafetensorsFile> files) {
        this.source = source;
        this.byName = Collections.unmodifiableMap(byName);
        this.files = files;
    }

    /** Opens the weights of {@code dir}; throws {@link FormatException} when there are none or they disagree. */
    static SafetensorsShards open(Path dir) {
        Path single = dir.resolve(SafetensorsWriter.SINGLE_FILE);
        Path index = dir.resolve(SafetensorsWriter.INDEX_FILE);
        if (Files.isRegularFile(single)) {
            SafetensorsFile f = SafetensorsFile.open(single);
            Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
            f.names().forEach(n -> byName.put(n, f));
            return new SafetensorsShards(single, byName, Map.of(single, f));
        }
        if (Files.isRegularFile(index)) {
            return openIndexed(dir.toAbsolutePath().normalize(), index);
        }
        throw new FormatException(dir, "no " + SafetensorsWriter.SINGLE_FILE + " or " + SafetensorsWriter.INDEX_FILE
                + " in this directory; prunekit reads Hugging Face safetensors checkpoints (convert pytorch_model.bin"
                + " with transformers' save_pretrained(safe_serialization=True))");
    }

    private static SafetensorsShards openIndexed(Path dir, Path index) {
        JsonObject root = JsonFields.readObject(index);
        JsonElement wm = new JsonFields(index, root, "").require("weight_map");
        if (!wm.isJsonObject()) {
            throw new FormatException(index, "weight_map should be an object of tensor name -> shard file but is "
                    + JsonFields.abbreviate(wm));
        }
        Map<Path, SafetensorsFile> files = new LinkedHashMap<>();
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, JsonElement> e : wm.getAsJsonObject().entrySet()) {
                SafetensorsFile f = shard(dir, index, e.getKey(), e.getValue(), files);
                if (!f.contains(e.getKey())) {
                    throw new FormatException(index, "weight_map puts tensor " + e.getKey() + " in "
                            + f.file().getFileName() + " but that shard has no such tensor; the checkpoint is"
                            + " incomplete or mixed from two versions, download it again");
                }
                byName.put(e.getKey(), f);
            }
        } catch (RuntimeException ex) {
            files.values().forEach(SafetensorsFile::close);
            throw ex;
        }
        return new SafetensorsShards(index, byName, files);
    }

    private static SafetensorsFile shard(Path dir, Path index, String tensor, JsonElement value,
                                         Map<Path, SafetensorsFile> open) {
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw new FormatException(index, "weight_map entry for " + tensor + " should be a shard file name but is "
                    + JsonFields.abbreviate(value));
        }
        Path p;
        try {
            p = dir.resolve(value.getAsString()).normalize();
        } catch (InvalidPathException e) {
            throw new FormatException(index, "weight_map entry for " + tensor + " is not a file name ("
                    + e.getReason() + "); expected a file name like " + SafetensorsWriter.shardName(1, 2), e);
        }
        if (!dir.equals(p.getParent())) {
            throw new FormatException(index, "weight_map entry for " + tensor + " names " + value.getAsString()
                    + ", which is outside the checkpoint directory; expected a file name like "
                    + SafetensorsWriter.shardName(1, 2));
        }
        SafetensorsFile f = open.get(p);
        if (f == null) {
            if (!Files.isRegularFile(p)) {
                throw new FormatException(index, "weight_map puts tensor " + tensor + " in " + p.getFileName()
                        + ", which is missing; download or copy every shard");
            }
            f = SafetensorsFile.open(p);
            open.put(p, f);
        }
        return f;
    }

    /** {@code model.safetensors} or the index file: the file to name in messages about the whole set. */
    Path source() {
        return source;
    }

    /** Tensor names (header order, or weight_map order when sharded). */
    Set<String> names() {
        return byName.keySet();
    }

    boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** The file that holds {@code name}. */
    Path fileOf(String name) {
        return file(name).file();
    }

    int[] shape(String name) {
        return file(name).shape(name);
    }

    DType dtype(String name) {
        return file(name).dtype(name);
    }

    FloatTensor read(String name) {
        return file(name).read(name);
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile f = byName.get(name);
        if (f == null) {
            throw new IllegalArgumentException(source + " has no tensor " + name);
        }
        return f;
    }

    @Override
    public void close() {
        files.values().forEach(SafetensorsFile::close);
    }
}
