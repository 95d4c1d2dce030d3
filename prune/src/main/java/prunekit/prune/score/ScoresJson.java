package prunekit.prune.score;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import prunekit.core.io.FormatException;
import prunekit.core.io.Json;
import prunekit.core.model.LayerShape;
import prunekit.prune.group.GroupKind;

/**
 * {@code scores.json}: provenance, the model's shape, {@code scores[scorer][kind]} as rows of
 * numbers (one row per layer; one row for hidden channels), and the oracle evaluation. Undefined
 * correlations are written as null.
 */
public final class ScoresJson {
    public static final String FORMAT = "prunekit-scores";
    public static final int VERSION = 1;

    private ScoresJson() {
    }

    public static JsonObject toJson(ImportanceScores s) {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("version", VERSION);
        ImportanceScores.Provenance p = s.provenance();
        JsonObject prov = new JsonObject();
        prov.addProperty("model", p.model());
        prov.addProperty("calibration", p.calibration());
        prov.addProperty("samples", p.samples());
        prov.addProperty("seq_len", p.seqLen());
        prov.addProperty("seed", p.seed());
        prov.addProperty("tokens", p.tokens());
        prov.add("calibration_loss", Json.finiteOrNull(p.calibrationLoss()));
        o.add("provenance", prov);
        JsonObject shape = new JsonObject();
        shape.addProperty("hidden", s.hidden());
        shape.addProperty("head_dim", s.headDim());
        JsonArray layers = new JsonArray();
        for (LayerShape l : s.layers()) {
            layers.add(Json.ints(new int[] {l.queryHeads(), l.kvHeads(), l.ffn()}));
        }
        shape.add("layers_heads_kv_ffn", layers);
        o.add("shape", shape);
        JsonObject scores = new JsonObject();
        s.scores().forEach((name, kinds) -> {
            JsonObject byKind = new JsonObject();
            kinds.forEach((kind, rows) -> {
                JsonArray a = new JsonArray();
                for (double[] r : rows) {
                    a.add(Json.doubles(r));
                }
                byKind.add(kind.id(), a);
            });
            scores.add(name.id(), byKind);
        });
        o.add("scores", scores);
        o.add("evaluation", evaluation(s.evaluation()));
        return o;
    }

    /** Scorer-vs-oracle rank correlations as JSON rows (NaN: null), as scores.json and the sweep tables hold them. */
    public static JsonArray evaluation(List<ScorerEvaluation.Correlation> correlations) {
        JsonArray ev = new JsonArray();
        for (ScorerEvaluation.Correlation c : correlations) {
            JsonObject e = new JsonObject();
            e.addProperty("kind", c.kind().id());
            e.addProperty("scorer", c.scorer().id());
            e.addProperty("groups", c.groups());
            e.add("spearman", Json.finiteOrNull(c.spearman()));
            e.add("within_layer_spearman", Json.finiteOrNull(c.withinLayer()));
            ev.add(e);
        }
        return ev;
    }

    public static void write(ImportanceScores s, Path file) {
        Json.write(file, toJson(s));
    }

    public static ImportanceScores read(Path file) {
        JsonObject o = Json.readOwn(file, FORMAT, VERSION, "prunekit scores");
        try {
            return fromJson(o);
        } catch (RuntimeException e) {
            throw new FormatException(file, "malformed scores: " + e.getMessage(), e);
        }
    }

    private static ImportanceScores fromJson(JsonObject o) {
        JsonObject p = o.getAsJsonObject("provenance");
        ImportanceScores.Provenance prov = new ImportanceScores.Provenance(p.get("model").getAsString(),
                p.get("calibration").getAsString(), p.get("samples").getAsInt(), p.get("seq_len").getAsInt(),
                p.get("seed").getAsLong(), p.get("tokens").getAsLong(), Json.toDouble(p.get("calibration_loss")));
        JsonObject shape = o.getAsJsonObject("shape");
        List<LayerShape> layers = new ArrayList<>();
        for (JsonElement e : shape.getAsJsonArray("layers_heads_kv_ffn")) {
            int[] l = Json.toInts(e.getAsJsonArray());
            layers.add(new LayerShape(l[0], l[1], l[2]));
        }
        Map<ScorerName, Map<GroupKind, double[][]>> scores = new EnumMap<>(ScorerName.class);
        for (Map.Entry<String, JsonElement> s : o.getAsJsonObject("scores").entrySet()) {
            Map<GroupKind, double[][]> kinds = new EnumMap<>(GroupKind.class);
            for (Map.Entry<String, JsonElement> k : s.getValue().getAsJsonObject().entrySet()) {
                JsonArray rows = k.getValue().getAsJsonArray();
                double[][] v = new double[rows.size()][];
                for (int r = 0; r < v.length; r++) {
                    v[r] = Json.toDoubles(rows.get(r).getAsJsonArray());
                }
                kinds.put(GroupKind.fromId(k.getKey()), v);
            }
            scores.put(ScorerName.parse(s.getKey()), kinds);
        }
        List<ScorerEvaluation.Correlation> ev = new ArrayList<>();
        if (o.has("evaluation")) {
            for (JsonElement e : o.getAsJsonArray("evaluation")) {
                JsonObject c = e.getAsJsonObject();
                ev.add(new ScorerEvaluation.Correlation(GroupKind.fromId(c.get("kind").getAsString()),
                        ScorerName.parse(c.get("scorer").getAsString()), c.get("groups").getAsInt(),
                        Json.toDouble(c.get("spearman")), Json.toDouble(c.get("within_layer_spearman"))));
            }
        }
        return new ImportanceScores(prov, shape.get("hidden").getAsInt(), shape.get("head_dim").getAsInt(), layers,
                scores, ev);
    }
}
