package prunekit.recover;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything that fixes a recovery run's arithmetic: the training settings ({@link TrainRecipe}:
 * steps, batch, schedule, AdamW, clipping, seed, validation and checkpoint intervals), the mode
 * (full fine-tuning of {@code train.trainable()}, or LoRA adapters on a frozen model), the
 * objective ({@link LossSpec}) and, for distillation from a cached teacher, {@code topK} (0: the
 * teacher's full distribution from a live forward).
 */
public record RecoverRecipe(TrainRecipe train, Mode mode, LoraSpec lora, LossSpec loss, int topK) {
    /** Full fine-tuning or LoRA. */
    public enum Mode {
        FULL, LORA;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Mode parse(String s) {
            for (Mode m : values()) {
                if (m.id().equals(s.trim().toLowerCase(Locale.ROOT))) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown mode '" + s + "'; use full or lora");
        }
    }

    public RecoverRecipe {
        if (train == null || mode == null || loss == null) {
            throw new IllegalArgumentException("a recovery recipe needs training settings, a mode and a loss");
        }
        if (mode == Mode.LORA && lora == null) {
            throw new IllegalArgumentException("LoRA mode needs a LoRA spec (rank, alpha, targets)");
        }
        if (mode == Mode.FULL) {
            lora = null;
        }
        if (topK < 0) {
            throw new IllegalArgumentException("--top-k must be >= 0 (0: the full teacher distribution), got " + topK);
        }
        if (topK > 0 && !loss.kind().needsTeacher()) {
            throw new IllegalArgumentException("a top-k teacher cache only serves --loss kd or mix, not " + loss.kind().id());
        }
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("mode", mode.id());
        if (lora != null) {
            o.add("lora", lora.toJson());
        }
        o.add("loss", loss.toJson());
        o.addProperty("top_k", topK);
        o.add("train", train.toJson());
        return o;
    }

    public static RecoverRecipe fromJson(JsonObject o) {
        return new RecoverRecipe(TrainRecipe.fromJson(o.getAsJsonObject("train")), Mode.parse(o.get("mode").getAsString()),
                o.has("lora") ? LoraSpec.fromJson(o.getAsJsonObject("lora")) : null,
                LossSpec.fromJson(o.getAsJsonObject("loss")), o.get("top_k").getAsInt());
    }

    /** The settings that differ from {@code other} and would change the weights, as "name: this vs other". */
    public List<String> arithmeticDifferences(RecoverRecipe other) {
        List<String> out = new ArrayList<>(train.arithmeticDifferences(other.train));
        JsonObject a = toJson();
        JsonObject b = other.toJson();
        for (String k : List.of("mode", "lora", "loss", "top_k")) {
            if (a.has(k) != b.has(k) || (a.has(k) && !a.get(k).equals(b.get(k)))) {
                out.add(k + ": " + a.get(k) + " vs " + b.get(k));
            }
        }
        return out;
    }
}
