package prunekit.pipeline.sweep;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.List;
import java.util.Locale;
import prunekit.core.io.Json;
import prunekit.prune.score.ScorerEvaluation;
import prunekit.prune.score.ScoresJson;

/**
 * The outcome of a {@link Sweep} on one model: the dense model's held-out perplexity and
 * parameter counts, and one {@link Row} per (scorer, allocation, keep ratio) with the pruned
 * model's counts (config and tensors, which must agree) and held-out perplexity, or the reason
 * the plan could not be made; and, when the oracle ran, each scorer's Spearman correlation with it.
 */
public record SweepResult(String model, long denseParams, long denseLayerParams, double densePerplexity,
                          int evalTokens, double scoringSeconds, List<Row> rows,
                          List<ScorerEvaluation.Correlation> evaluation) {

    /** One pruned model. {@code error} is null unless the budget could not be met this way. */
    public record Row(String scorer, String allocation, double keepRatio, long params, long layerParams,
                      long tensorParams, double perplexity, double seconds, String error) {
        public double realizedLayerRatio(long denseLayerParams) {
            return (double) layerParams / denseLayerParams;
        }
    }

    public SweepResult {
        rows = List.copyOf(rows);
        evaluation = List.copyOf(evaluation);
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("model", model);
        o.addProperty("dense_params", denseParams);
        o.addProperty("dense_layer_params", denseLayerParams);
        o.add("dense_perplexity", Json.finiteOrNull(densePerplexity));
        o.addProperty("eval_tokens", evalTokens);
        o.add("scoring_seconds", Json.finiteOrNull(scoringSeconds));
        JsonArray a = new JsonArray();
        for (Row r : rows) {
            JsonObject j = new JsonObject();
            j.addProperty("scorer", r.scorer());
            j.addProperty("allocation", r.allocation());
            j.addProperty("keep_ratio", r.keepRatio());
            j.addProperty("params", r.params());
            j.addProperty("layer_params", r.layerParams());
            j.addProperty("tensor_params", r.tensorParams());
            j.add("realized_layer_ratio", Json.finiteOrNull(r.error() == null ? r.realizedLayerRatio(denseLayerParams) : Double.NaN));
            j.add("perplexity", Json.finiteOrNull(r.perplexity()));
            j.add("seconds", Json.finiteOrNull(r.seconds()));
            j.add("error", r.error() == null ? JsonNull.INSTANCE : new JsonPrimitive(r.error()));
            a.add(j);
        }
        o.add("rows", a);
        o.add("oracle_spearman", ScoresJson.evaluation(evaluation));
        return o;
    }

    /** A markdown table: one row per scorer and allocation, one column per keep ratio. */
    public String toMarkdown() {
        List<Double> ratios = rows.stream().map(Row::keepRatio).distinct().toList();
        List<String> keys = rows.stream().map(r -> r.scorer() + " | " + r.allocation()).distinct().toList();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "**%s**: dense %,d parameters (%,d in the layers), held-out perplexity %.3f"
                + " over %,d tokens%n%n", model, denseParams, denseLayerParams, densePerplexity, evalTokens));
        sb.append("| scorer | allocation |");
        ratios.forEach(r -> sb.append(String.format(Locale.ROOT, " keep %.3g |", r)));
        sb.append("\n|---|---|");
        ratios.forEach(r -> sb.append("---|"));
        sb.append('\n');
        for (String k : keys) {
            sb.append("| ").append(k).append(" |");
            for (double ratio : ratios) {
                Row r = rows.stream().filter(x -> (x.scorer() + " | " + x.allocation()).equals(k) && x.keepRatio() == ratio)
                        .findFirst().orElse(null);
                sb.append(' ').append(cell(r)).append(" |");
            }
            sb.append('\n');
        }
        sb.append("\nCells: held-out perplexity (parameters of the pruned model; layers' share kept).\n");
        if (!evaluation.isEmpty()) {
            sb.append("\nSpearman correlation with the oracle, pooled over layers (mean within layers):\n\n| kind |");
            List<String> scorers = evaluation.stream().map(c -> c.scorer().id()).distinct().toList();
            scorers.forEach(n -> sb.append(' ').append(n).append(" |"));
            sb.append("\n|---|");
            scorers.forEach(n -> sb.append("---|"));
            for (var kind : evaluation.stream().map(ScorerEvaluation.Correlation::kind).distinct().toList()) {
                sb.append("\n| ").append(kind.id()).append(" |");
                for (String n : scorers) {
                    sb.append(evaluation.stream().filter(c -> c.kind() == kind && c.scorer().id().equals(n)).findFirst()
                            .map(c -> String.format(Locale.ROOT, " %.2f (%.2f) |", c.spearman(), c.withinLayer()))
                            .orElse(" |"));
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private String cell(Row r) {
        if (r == null) {
            return "";
        }
        if (r.error() != null) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2f (%.2fM; %.3f)", r.perplexity(), r.params() / 1e6,
                r.realizedLayerRatio(denseLayerParams));
    }
}
