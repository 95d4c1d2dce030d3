package prunekit.pipeline;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import prunekit.core.model.LayerShape;
import prunekit.prune.group.GroupKind;
import prunekit.prune.plan.LayerPlan;
import prunekit.prune.plan.PruningPlan;
import prunekit.prune.score.ImportanceScores;
import prunekit.prune.score.ScorerName;
import prunekit.viz.ChannelImportanceChart;
import prunekit.viz.HeadHeatmap;
import prunekit.viz.KeepRatioChart;
import prunekit.viz.KeptFractionChart;
import prunekit.viz.ScorerScatter;

/** Chart inputs from prunekit's own files: scores.json, plan.json and prune-table.json (a sweep). */
final class PruneCharts {
    private PruneCharts() {
    }

    /** Head (or KV-group) scores per layer, with the heads a plan removes marked. */
    static HeadHeatmap.Data heads(ImportanceScores s, ScorerName n, PruningPlan planOrNull) {
        boolean q = s.has(n, GroupKind.QUERY_HEAD);
        double[][] rows = s.get(n, q ? GroupKind.QUERY_HEAD : GroupKind.KV_GROUP);
        List<List<Integer>> pruned = new ArrayList<>();
        if (planOrNull != null) {
            for (LayerPlan l : planOrNull.layers()) {
                int count = rows[l.layer()].length;
                int[] kept = q ? l.queryHeads() : l.kvHeads();
                pruned.add(IntStream.range(0, count).filter(i -> Arrays.binarySearch(kept, i) < 0).boxed().toList());
            }
        }
        return new HeadHeatmap.Data(n.id() + (q ? " query-head" : " KV-group") + " importance", n.id() + " score",
                false, lists(rows), pruned);
    }

    static ChannelImportanceChart.Data channels(ImportanceScores s, ScorerName n) {
        return new ChannelImportanceChart.Data(n.id() + " MLP channel importance", n.id() + " score", false,
                lists(s.get(n, GroupKind.MLP_CHANNEL)));
    }

    /** Kept fraction of query heads and MLP channels per original layer (a dropped layer keeps 0). */
    static KeptFractionChart.Data kept(PruningPlan p, List<LayerShape> original) {
        List<Double> attn = new ArrayList<>();
        List<Double> mlp = new ArrayList<>();
        for (LayerPlan l : p.layers()) {
            LayerShape s = original.get(l.layer());
            attn.add(fraction(l.queryHeads().length, s.queryHeads()));
            mlp.add(fraction(l.ffn().length, s.ffn()));
        }
        return new KeptFractionChart.Data("Kept fraction per layer (" + p.scorer() + ", " + p.budget() + ")", attn, mlp);
    }

    private static double fraction(int kept, int of) {
        return of == 0 ? 0 : (double) kept / of;
    }

    /** Every scorer against the oracle on the first kind the oracle scored (KV groups first); null if none. */
    static ScorerScatter.Data scatter(ImportanceScores s) {
        if (!s.scorers().contains(ScorerName.ORACLE)) {
            return null;
        }
        for (GroupKind k : List.of(GroupKind.KV_GROUP, GroupKind.QUERY_HEAD, GroupKind.MLP_CHANNEL, GroupKind.LAYER,
                GroupKind.MLP_BLOCK, GroupKind.ATTENTION_BLOCK)) {
            if (!s.has(ScorerName.ORACLE, k)) {
                continue;
            }
            List<Double> oracle = flat(s.get(ScorerName.ORACLE, k));
            List<ScorerScatter.Scorer> list = new ArrayList<>();
            for (ScorerName n : s.scorers()) {
                if (n != ScorerName.ORACLE && s.has(n, k) && oracle.size() >= 2) {
                    list.add(new ScorerScatter.Scorer(n.id(), flat(s.get(n, k)), oracle));
                }
            }
            if (!list.isEmpty()) {
                return new ScorerScatter.Data("Scorers vs oracle: " + k.id(), "held-out loss increase when removed", false,
                        list);
            }
        }
        return null;
    }

    /** One perplexity-vs-kept-share chart per model of a prune-table.json (x = the share really kept), by model name. */
    static Map<String, KeepRatioChart.Data> keepRatio(JsonObject table) {
        Map<String, KeepRatioChart.Data> out = new LinkedHashMap<>();
        for (JsonElement me : table.getAsJsonArray("models")) {
            JsonObject m = me.getAsJsonObject();
            Map<String, List<double[]>> curves = new LinkedHashMap<>();
            for (JsonElement re : m.getAsJsonArray("rows")) {
                JsonObject r = re.getAsJsonObject();
                if (r.get("perplexity").isJsonNull()) {
                    continue;
                }
                String key = r.get("scorer").getAsString() + "\t" + r.get("allocation").getAsString();
                JsonElement realized = r.get("realized_layer_ratio"); // depth pruning lands off the asked ratio
                double x = realized != null && !realized.isJsonNull() ? realized.getAsDouble() : r.get("keep_ratio").getAsDouble();
                curves.computeIfAbsent(key, k -> new ArrayList<>()).add(new double[] {x, r.get("perplexity").getAsDouble()});
            }
            List<KeepRatioChart.Curve> list = new ArrayList<>();
            curves.forEach((k, pts) -> {
                String[] sa = k.split("\t");
                list.add(new KeepRatioChart.Curve(sa[0], KeepRatioChart.Allocation.valueOf(sa[1].toUpperCase(java.util.Locale.ROOT)),
                        pts.stream().map(p -> p[0]).toList(), pts.stream().map(p -> p[1]).toList()));
            });
            String name = m.get("model").getAsString();
            Double dense = m.get("dense_perplexity").isJsonNull() ? null : m.get("dense_perplexity").getAsDouble();
            out.put(name, new KeepRatioChart.Data(name + ": held-out perplexity vs kept share of the layers", dense, list));
        }
        return out;
    }

    private static List<List<Double>> lists(double[][] rows) {
        List<List<Double>> out = new ArrayList<>();
        for (double[] r : rows) {
            out.add(Arrays.stream(r).boxed().toList());
        }
        return out;
    }

    private static List<Double> flat(double[][] rows) {
        return Arrays.stream(rows).flatMapToDouble(Arrays::stream).boxed().toList();
    }
}
