package prunekit.recover;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one run of the training engine ({@link Trainer}) does: the optimization settings
 * ({@link TrainRecipe}: steps, batch, schedule, AdamW, clipping, seed, validation and checkpoint
 * intervals), the student ({@link Mode}: full fine-tuning of {@code train.trainable()}, or LoRA
 * adapters on a frozen model), the objective ({@link LossSpec}; with a cached teacher
 * {@code topK} > 0, else the teacher's full distribution from a live forward) and the
 * {@link Kind}, which fixes what the run writes. Two recipes: {@link #train} and {@link #recover}.
 */
public record Recipe(Kind kind, TrainRecipe train, Mode mode, LoraSpec lora, LossSpec loss, int topK) {
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

    /**
     * What the run is for. {@code TRAIN} ({@code prunekit train}): a model trained from scratch or
     * continued, full and cross-entropy only; reports {@code train.json}; validation in batches of
     * 16 windows. {@code RECOVER} ({@code prunekit recover}): a pruned model healed; validates the
     * unrecovered model and the teacher before the first step, keeps the best model in
     * {@code OUT/recovered/}; reports {@code recover.json}; validation in batches of 8 windows.
     * The batch sizes are those the published figures of each were made with.
     */
    public enum Kind {
        TRAIN(16), RECOVER(8);

        private final int validBatch;

        Kind(int validBatch) {
            this.validBatch = validBatch;
        }
    }

    public Recipe {
        if (kind == null || train == null || mode == null || loss == null) {
            throw new IllegalArgumentException("a recipe needs a kind, training settings, a mode and a loss");
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
        if (kind == Kind.TRAIN && (mode != Mode.FULL || loss.kind() != LossKind.CE || topK != 0)) {
            throw new IllegalArgumentException("a train recipe is full training on cross-entropy; use a recover recipe"
                    + " for LoRA or distillation");
        }
    }

    /** {@code prunekit train}: full training of {@code train.trainable()} on cross-entropy. */
    public static Recipe train(TrainRecipe train) {
        return new Recipe(Kind.TRAIN, train, Mode.FULL, null, LossSpec.ce(), 0);
    }

    /** {@code prunekit recover}: heals a pruned model; {@code lora} only for {@link Mode#LORA}. */
    public static Recipe recover(TrainRecipe train, Mode mode, LoraSpec lora, LossSpec loss, int topK) {
        return new Recipe(Kind.RECOVER, train, mode, lora, loss, topK);
    }

    /** Whether the run heals a pruned model: baseline validation, the best model kept in {@code OUT/recovered/}. */
    public boolean heals() {
        return kind == Kind.RECOVER;
    }

    /** Refuses a run without a teacher when the loss needs one (kd, mix). */
    public void requireTeacher(boolean hasTeacher) {
        if (loss.kind().needsTeacher() && !hasTeacher) {
            throw new IllegalArgumentException("--loss " + loss.kind().id() + " needs the dense teacher: pass --teacher");
        }
    }

    /** Windows per validation forward: 16 for train, 8 for recover, at most the validation windows. */
    public int validBatch() {
        return Math.min(kind.validBatch, train.evalWindows());
    }

    /** The recipe as the run's files hold it: a train recipe as its {@link TrainRecipe}, a recover recipe whole. */
    public JsonObject toJson() {
        if (kind == Kind.TRAIN) {
            return train.toJson();
        }
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

    public static Recipe fromJson(JsonObject o) {
        if (!o.has("mode")) {
            return train(TrainRecipe.fromJson(o));
        }
        return recover(TrainRecipe.fromJson(o.getAsJsonObject("train")), Mode.parse(o.get("mode").getAsString()),
                o.has("lora") ? LoraSpec.fromJson(o.getAsJsonObject("lora")) : null,
                LossSpec.fromJson(o.getAsJsonObject("loss")), o.get("top_k").getAsInt());
    }

    /** The settings that differ from {@code other} and would change the weights, as "name: this vs other". */
    public List<String> arithmeticDifferences(Recipe other) {
        if (kind != other.kind) {
            return List.of("kind: " + kind.name().toLowerCase(Locale.ROOT) + " vs "
                    + other.kind.name().toLowerCase(Locale.ROOT) + " (a checkpoint of `prunekit "
                    + other.kind.name().toLowerCase(Locale.ROOT) + "`)");
        }
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
