package prunekit.pipeline.recipe;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import prunekit.core.io.Json;
import prunekit.viz.Charts;
import prunekit.viz.HtmlReport;
import prunekit.viz.SpeedQualityChart;
import prunekit.viz.WrittenChart;

/**
 * What a run shows: one {@link SweepRow} per configuration, RUN/sweep.json (the table a front chart
 * reads) and the HTML report (summary, quality-versus-speed points, the sensitivity and recovery
 * charts, the protocol of every number), self-contained with its SVG charts inlined.
 */
final class RecipeReport {
    static final String HTML = "report.html";
    static final String SWEEP = "sweep.json";

    private RecipeReport() {
    }

    /** Dense first, then each pruned model followed by its recoveries; speed from the bench when it ran. */
    static List<SweepRow> rows(RunRecipe r, Map<String, JsonObject> prune, Map<String, Double> ppl, Map<String, Double> tps) {
        List<SweepRow> rows = new ArrayList<>();
        Double denseTps = tps.get("dense");
        long denseParams = prune.values().iterator().next().get("params_before").getAsLong();
        rows.add(new SweepRow("dense", Map.of(), denseParams, ppl.get("dense"), denseTps, denseTps == null ? null : 1.0));
        for (RunRecipe.PruneConfig c : r.prune().configs()) {
            long params = prune.get(c.name()).get("params_after").getAsLong();
            Double t = tps.get(c.name());
            Double speedup = t == null || denseTps == null ? null : t / denseTps;
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("scorer", c.scorer().id());
            p.put("keep_ratio", c.keepRatio());
            rows.add(new SweepRow(c.name(), p, params, ppl.get(c.name()), t, speedup));
            for (RunRecipe.Recover rec : r.recover()) {
                Map<String, Object> q = new LinkedHashMap<>(p);
                q.put("recover", rec.name());
                q.put("recover_tokens", rec.tokens());
                q.put("recover_mode", rec.mode().name().toLowerCase(java.util.Locale.ROOT));
                q.put("recover_loss", rec.loss().name().toLowerCase(java.util.Locale.ROOT));
                String name = c.name() + "--" + rec.name();
                rows.add(new SweepRow(name, q, params, ppl.get(name), t, speedup));
            }
        }
        return rows;
    }

    static Path writeSweep(RunRecipe r, List<SweepRow> rows, Path run) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("recipe", r.name());
        m.put("protocol", protocol(r));
        List<Map<String, Object>> configs = new ArrayList<>();
        for (SweepRow row : rows) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("name", row.name());
            c.put("params", row.params());
            c.put("parameters", row.parameters());
            c.put("held_out_perplexity", row.perplexity());
            c.put("ort_decode_tokens_per_s", row.decodeTokensPerSecond());
            c.put("ort_speedup", row.speedup());
            configs.add(c);
        }
        m.put("configurations", configs);
        Path file = run.resolve(SWEEP);
        Json.write(file, Json.tree(m), Json.Layout.EXPANDED);
        return file;
    }

    /** What each number means: the held-out files and context, and how speed was measured. */
    static Map<String, String> protocol(RunRecipe r) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("held_out_perplexity", r.eval() == null ? "not measured (no data.valid)"
                : "the shared perplexity protocol on " + r.valid().stream().map(f -> f.getFileName().toString())
                        .collect(Collectors.joining(", ")) + ", back-to-back windows of "
                        + (r.eval().ctx() == null ? "the model's context" : r.eval().ctx() + " tokens"));
        p.put("ort_speedup", r.bench() == null ? "not measured (no bench section)"
                : "ONNX Runtime CPU decode tokens/s at batch 1 (context " + r.bench().context() + ", " + r.bench().steps()
                        + " steps, " + r.bench().threads() + " threads) over the dense model's");
        return p;
    }

    static JsonObject write(RunRecipe r, List<SweepRow> rows, List<StageCache.Done> stages, Path dir) throws IOException {
        List<HtmlReport.Figure> figures = new ArrayList<>();
        if (rows.get(0).decodeTokensPerSecond() != null) {
            List<SpeedQualityChart.Point> points = rows.stream().filter(x -> x.perplexity() != null)
                    .map(x -> new SpeedQualityChart.Point(x.name(), x.speedup(), x.perplexity())).toList();
            WrittenChart sq = Charts.write(new SpeedQualityChart.Data(r.name() + ": quality vs speed (ONNX Runtime, decode batch 1)",
                    false, points), dir.resolve("charts/speed-quality"));
            figures.add(HtmlReport.Figure.of("Perplexity against decode speedup", sq));
        }
        for (StageCache.Done d : stages) {
            List<Path> pngs = d.kind() == StageKind.PLOT ? List.of(d.dir().resolve("head-heatmap.png"),
                    d.dir().resolve("channel-importance.png"), d.dir().resolve("kept-fraction.png"))
                    : d.kind() == StageKind.RECOVER ? List.of(d.dir().resolve("recovery.png")) : List.of();
            for (Path png : pngs) {
                if (Files.isRegularFile(png)) {
                    figures.add(new HtmlReport.Figure(d.name() + ": " + png.getFileName().toString().replace(".png", "")
                            .replace('-', ' '), png));
                }
            }
        }
        List<HtmlReport.SummaryRow> summary = rows.stream().map(x -> new HtmlReport.SummaryRow(x.name(), x.parameters(),
                x.perplexity(), x.decodeTokensPerSecond(), x.speedup())).toList();
        List<List<String>> proto = protocol(r).entrySet().stream().map(e -> List.of(e.getKey(), e.getValue())).toList();
        HtmlReport.write(new HtmlReport.Content("prunekit run '" + r.name() + "': " + r.model().getFileName(), summary,
                figures, List.of(new HtmlReport.Table("How each number was measured", List.of("number", "protocol"), proto))),
                dir.resolve(HTML), HtmlReport.Images.EMBED_SVG);
        return new JsonObject();
    }
}
