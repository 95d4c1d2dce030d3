package prunekit.prune.plan;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import prunekit.core.io.FormatException;
import prunekit.core.io.Json;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;

/**
 * {@code plan.json}: the kept indices of a {@link PruningPlan} plus, for readers, the original and
 * pruned shapes and parameter counts. Reading checks the format name and version.
 */
public final class PlanJson {
    public static final String FORMAT = "prunekit-plan";
    public static final int VERSION = 1;

    private PlanJson() {
    }

    public static JsonObject toJson(PruningPlan plan, LlamaConfig original) {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("version", VERSION);
        o.addProperty("scorer", plan.scorer());
        o.addProperty("budget", plan.budget());
        o.add("original", shape(original));
        o.add("pruned", shape(plan.prunedConfig(original)));
        o.add("hidden", Json.ints(plan.hidden()));
        o.add("dropped_layers", Json.ints(plan.droppedLayers()));
        JsonArray layers = new JsonArray();
        for (LayerPlan p : plan.layers()) {
            JsonObject l = new JsonObject();
            l.addProperty("layer", p.layer());
            l.addProperty("dropped", p.dropped());
            l.add("kv_heads", Json.ints(p.kvHeads()));
            l.add("query_heads", Json.ints(p.queryHeads()));
            l.add("ffn", Json.ints(p.ffn()));
            layers.add(l);
        }
        o.add("layers", layers);
        return o;
    }

    /** hidden, per-layer shapes and parameter counts of {@code c}. */
    public static JsonObject shape(LlamaConfig c) {
        JsonObject o = new JsonObject();
        o.addProperty("hidden", c.hidden());
        o.addProperty("head_dim", c.headDim());
        JsonArray ls = new JsonArray();
        for (LayerShape s : c.layers()) {
            ls.add(Json.ints(new int[] {s.queryHeads(), s.kvHeads(), s.ffn()}));
        }
        o.add("layers_heads_kv_ffn", ls);
        o.addProperty("params", c.parameterCount());
        o.addProperty("layer_params", c.parameterCounts().get("layers"));
        return o;
    }

    public static void write(PruningPlan plan, LlamaConfig original, Path file) {
        Json.write(file, toJson(plan, original));
    }

    public static PruningPlan read(Path file) {
        return fromJson(readObject(file), file);
    }

    /**
     * The original model's layer shapes recorded in {@code file} ("original"), one per layer of its plan;
     * a FormatException when they are missing or do not cover the plan's layers.
     */
    public static List<LayerShape> originalShapes(Path file) {
        JsonObject o = readObject(file);
        PruningPlan plan = fromJson(o, file);
        List<LayerShape> shapes = new ArrayList<>();
        try {
            for (JsonElement e : o.getAsJsonObject("original").getAsJsonArray("layers_heads_kv_ffn")) {
                int[] s = Json.toInts(e.getAsJsonArray());
                shapes.add(new LayerShape(s[0], s[1], s[2]));
            }
        } catch (RuntimeException e) {
            throw new FormatException(file, "\"original\".\"layers_heads_kv_ffn\" is missing or not a list of"
                    + " [heads, kv_heads, ffn] (" + e.getMessage() + "); write the plan again with prunekit prune", e);
        }
        for (LayerPlan l : plan.layers()) {
            if (l.layer() < 0 || l.layer() >= shapes.size()) {
                throw new FormatException(file, "layer " + l.layer() + " of the plan is not among the " + shapes.size()
                        + " original layers");
            }
        }
        return shapes;
    }

    private static JsonObject readObject(Path file) {
        return Json.readOwn(file, FORMAT, VERSION, "a prunekit plan");
    }

    static PruningPlan fromJson(JsonObject o, Path file) {
        if (!o.get("version").getAsJsonPrimitive().isNumber()) { // Json.readOwn checked the format and "1"
            throw new FormatException(file, "plan version " + o.get("version") + ", this prunekit reads " + VERSION);
        }
        try {
            List<LayerPlan> layers = new ArrayList<>();
            for (JsonElement e : o.getAsJsonArray("layers")) {
                JsonObject l = e.getAsJsonObject();
                layers.add(new LayerPlan(l.get("layer").getAsInt(), l.get("dropped").getAsBoolean(),
                        Json.toInts(l.getAsJsonArray("kv_heads")), Json.toInts(l.getAsJsonArray("query_heads")),
                        Json.toInts(l.getAsJsonArray("ffn"))));
            }
            return new PruningPlan(o.get("scorer").getAsString(), o.get("budget").getAsString(),
                    Json.toInts(o.getAsJsonArray("hidden")), layers);
        } catch (RuntimeException e) {
            throw new FormatException(file, "malformed plan: " + e.getMessage(), e);
        }
    }
}
