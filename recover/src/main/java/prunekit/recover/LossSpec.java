package prunekit.recover;

import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.List;
import prunekit.core.io.Json;

/**
 * The recovery objective: {@code kind}; {@code alpha} the weight of distillation in {@code mix}
 * (α·KD + (1 − α)·CE); the distillation {@code temperature} T; and optional hidden-state
 * matching: {@code hiddenWeight} β ≥ 0 adds β · relative MSE between student and teacher residual
 * streams leaving the layers in {@code hiddenLayers} (empty: the last layer, i.e. the final hidden
 * state before the final norm). Matching needs the same hidden size, and listed layers need the
 * same layer count as the teacher.
 */
public record LossSpec(LossKind kind, double alpha, double temperature, double hiddenWeight, List<Integer> hiddenLayers) {
    public LossSpec {
        if (kind == null) {
            throw new IllegalArgumentException("a loss kind is required (ce, kd or mix)");
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("--alpha must be in [0, 1], got " + alpha);
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("--temperature must be positive, got " + temperature);
        }
        if (!(hiddenWeight >= 0) || Double.isInfinite(hiddenWeight)) {
            throw new IllegalArgumentException("--hidden-weight must be >= 0, got " + hiddenWeight);
        }
        hiddenLayers = List.copyOf(hiddenLayers == null ? List.of() : hiddenLayers);
        if (kind == LossKind.CE && hiddenWeight > 0) {
            throw new IllegalArgumentException("hidden-state matching needs the teacher: use --loss kd or mix with"
                    + " --hidden-weight");
        }
    }

    public static LossSpec ce() {
        return new LossSpec(LossKind.CE, 0, 1, 0, List.of());
    }

    public static LossSpec kd(double temperature) {
        return new LossSpec(LossKind.KD, 1, temperature, 0, List.of());
    }

    /** The weight of the KD term: 0 for ce, 1 for kd, α for mix. */
    public double kdWeight() {
        return switch (kind) {
            case CE -> 0;
            case KD -> 1;
            case MIX -> alpha;
        };
    }

    /** The weight of the CE term: 1 for ce, 0 for kd, 1 − α for mix. */
    public double ceWeight() {
        return 1 - kdWeight();
    }

    public boolean matchesHidden() {
        return hiddenWeight > 0;
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("kind", kind.id());
        o.addProperty("alpha", alpha);
        o.addProperty("temperature", temperature);
        o.addProperty("hidden_weight", hiddenWeight);
        o.add("hidden_layers", Json.tree(hiddenLayers));
        return o;
    }

    public static LossSpec fromJson(JsonObject o) {
        List<Integer> layers = Arrays.stream(Json.toInts(o.getAsJsonArray("hidden_layers"))).boxed().toList();
        return new LossSpec(LossKind.parse(o.get("kind").getAsString()), o.get("alpha").getAsDouble(),
                o.get("temperature").getAsDouble(), o.get("hidden_weight").getAsDouble(), layers);
    }
}
