package prunekit.recover;

import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import prunekit.core.io.Sha256;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaWeights;

/**
 * What a run reads, by sha256, saved in every checkpoint's {@code trainer_state.json} under
 * {@code inputs_sha256}: the training tokens, the validation tokens and the teacher's weights (names,
 * shapes, values). {@code --resume} with other data, validation text or teacher is refused: it would
 * continue silently with a different run. Null: not part of this run.
 */
record RunInputs(String train, String valid, String teacher) {
    static final String KEY = "inputs_sha256";

    static RunInputs of(TrainData data, LlamaWeights teacherOrNull) {
        return new RunInputs(sha256(data.train()), data.valid() == null ? null : sha256(data.valid().ids()),
                teacherOrNull == null ? null : sha256(teacherOrNull));
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("train_tokens", train);
        o.addProperty("valid_tokens", valid);
        o.addProperty("teacher", teacher);
        return o;
    }

    /** Fails with one line when {@code state} (a checkpoint's) was made from other inputs; older states without them pass. */
    void requireSameAs(JsonObject state, Path checkpoint) {
        if (!state.has(KEY)) {
            return;
        }
        JsonObject saved = state.getAsJsonObject(KEY);
        List<String> diff = new ArrayList<>();
        compare(saved, "train_tokens", train, "--data", diff);
        compare(saved, "valid_tokens", valid, "--valid", diff);
        compare(saved, "teacher", teacher, "--teacher", diff);
        if (!diff.isEmpty()) {
            throw new IllegalArgumentException("cannot resume " + checkpoint + ": " + String.join(", ", diff)
                    + " differ from the run's; resume with the same inputs or use a new output directory");
        }
    }

    private static void compare(JsonObject saved, String key, String now, String option, List<String> diff) {
        String was = saved.has(key) && !saved.get(key).isJsonNull() ? saved.get(key).getAsString() : null;
        if (was == null ? now != null : !was.equals(now)) {
            diff.add(option + " (sha256 " + shortHash(now) + ", was " + shortHash(was) + ")");
        }
    }

    private static String shortHash(String h) {
        return h == null ? "none" : h.substring(0, 12);
    }

    static String sha256(int[] ids) {
        MessageDigest md = Sha256.digest();
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int id : ids) {
            if (!b.hasRemaining()) {
                md.update(b.flip());
                b.clear();
            }
            b.putInt(id);
        }
        md.update(b.flip());
        return HexFormat.of().formatHex(md.digest());
    }

    static String sha256(LlamaWeights w) {
        MessageDigest md = Sha256.digest();
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (Map.Entry<String, FloatTensor> e : w.tensors().entrySet()) {
            md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            for (int d : e.getValue().shape()) {
                md.update(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(d).array());
            }
            for (float v : e.getValue().data()) {
                if (!b.hasRemaining()) {
                    md.update(b.flip());
                    b.clear();
                }
                b.putFloat(v);
            }
            md.update(b.flip());
            b.clear();
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
