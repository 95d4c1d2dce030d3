package prunekit.pipeline.recipe;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import prunekit.core.io.Json;
import prunekit.pipeline.ReportParts;
import prunekit.recover.Trainer;
import prunekit.viz.Charts;
import prunekit.viz.HtmlReport;
import prunekit.viz.SweepTable;

/**
 * What a run shows: one {@link SweepRow} per configuration, RUN/sweep.json (a {@link SweepTable}, the
 * table the front chart reads, written when every row has a held-out perplexity and the bench ran) and
 * the HTML report (summary, the protocol of every number, the front, sensitivity and recovery charts,
 * task accuracies, greedy samples of every model, the recipe and the manifest), self-contained with
 * its SVG charts inlined.
 */
final class RecipeReport {
    static final String HTML = "report.html";
    static final String SWEEP = "sweep.json";
    private static final int SAMPLE_TOKENS = 40;

    /** Everything the report stage reads: the recipe (parsed and as written), the rows, the stages before it, RUN. */
    record Inputs(RunRecipe recipe, String text, List<SweepRow> rows, List<StageCache.Done> stages, Path run) {
    }

    private RecipeReport() {
    }

    /** Dense first, then each pruned model followed by its recoveries; speed from the bench when it ran. */
    static List<SweepRow> rows(RunRecipe r, Map<String, JsonObject> prune, Map<String, Double> ppl,
                               Map<String, JsonArray> tasks, Map<String, Double> tps) {
        List<SweepRow> rows = new ArrayList<>();
        Double denseTps = tps.get("dense");
        long denseParams = prune.values().iterator().next().get("params_before").getAsLong();
        rows.add(new SweepRow("dense", Map.of(), denseParams, ppl.get("dense"), accuracies(tasks.get("dense")), denseTps,
                denseTps == null ? null : 1.0));
        for (RunRecipe.PruneConfig c : r.prune().configs()) {
            long params = prune.get(c.name()).get("params_after").getAsLong();
            Double t = tps.get(c.name());
            Double speedup = t == null || denseTps == null ? null : t / denseTps;
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("method", c.method().id());
            p.put("keep_ratio", c.keepRatio());
            rows.add(new SweepRow(c.name(), p, params, ppl.get(c.name()), accuracies(tasks.get(c.name())), t, speedup));
            for (RunRecipe.Recover rec : r.recover()) {
                Map<String, Object> q = new LinkedHashMap<>(p);
                q.put("recover", rec.name());
                q.put("recover_tokens", rec.tokens());
                q.put("recover_mode", rec.mode().name().toLowerCase(Locale.ROOT));
                q.put("recover_loss", rec.loss().name().toLowerCase(Locale.ROOT));
                String name = c.name() + "--" + rec.name();
                rows.add(new SweepRow(name, q, params, ppl.get(name), accuracies(tasks.get(name)), t, speedup));
            }
        }
        return rows;
    }

    /** Task name → acc, in the eval's order (empty without tasks). */
    private static Map<String, Double> accuracies(JsonArray tasks) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (tasks != null) {
            for (JsonElement e : tasks) {
                m.put(e.getAsJsonObject().get("task").getAsString(), e.getAsJsonObject().get("acc").getAsDouble());
            }
        }
        return m;
    }

    /**
     * The rows as a {@link SweepTable}, or null when a row lacks its held-out perplexity (no eval
     * section) or a pruned row its speedup (no bench section): the front needs both axes.
     */
    static SweepTable table(RunRecipe r, List<SweepRow> rows) {
        if (rows.size() < 2 || rows.stream().anyMatch(x -> x.perplexity() == null)
                || rows.stream().skip(1).anyMatch(x -> x.speedup() == null)) {
            return null;
        }
        Map<String, String> p = protocol(r);
        List<SweepTable.Configuration> configs = rows.stream().skip(1).map(RecipeReport::configuration).toList();
        return new SweepTable(SweepTable.FORMAT, p.get("held_out_perplexity"), p.get("ort_speedup"),
                configuration(rows.get(0)), configs);
    }

    private static SweepTable.Configuration configuration(SweepRow row) {
        List<SweepTable.TaskScore> tasks = row.tasks().entrySet().stream()
                .map(e -> new SweepTable.TaskScore(e.getKey(), e.getValue())).toList();
        return new SweepTable.Configuration(row.name(), row.parameters(), row.perplexity(),
                row.name().equals("dense") ? null : row.speedup(), null, tasks);
    }

    /** RUN/sweep.json, or null (and no file) when {@link #table} has none. */
    static Path writeSweep(RunRecipe r, List<SweepRow> rows, Path run) {
        SweepTable t = table(r, rows);
        if (t == null) {
            return null;
        }
        Path file = run.resolve(SWEEP);
        Json.write(file, Json.tree(t), Json.Layout.EXPANDED);
        return file;
    }

    /** What each number means: the held-out files and context, and how speed was measured. */
    static Map<String, String> protocol(RunRecipe r) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("held_out_perplexity", r.eval() == null ? "not measured (no eval section)"
                : "the shared perplexity protocol on " + names(r.valid()) + ", back-to-back windows of "
                        + (r.eval().ctx() == null ? "the model's context" : r.eval().ctx() + " tokens"));
        p.put("ort_speedup", r.bench() == null ? "not measured (no bench section)"
                : "ONNX Runtime CPU decode tokens/s at batch 1 (context " + r.bench().context() + ", " + r.bench().steps()
                        + " steps, " + r.bench().threads() + " threads) over the dense model's; a recovered model has"
                        + " its pruned model's shapes, so its speed is the pruned model's");
        if (r.eval() != null && !r.eval().tasks().isEmpty()) {
            p.put("task_accuracy", "zero-shot multiple choice as `prunekit eval --tasks` on " + names(r.eval().tasks())
                    + ": acc over every item (lm-eval-harness semantics)");
        }
        return p;
    }

    static JsonObject write(Inputs in, Path dir) throws Exception {
        RunRecipe r = in.recipe();
        HtmlReport.Builder report = HtmlReport.builder("prunekit run '" + r.name() + "': " + r.model().getFileName());
        for (SweepRow x : in.rows()) {
            report.summary(new HtmlReport.SummaryRow(x.name(), x.parameters(), x.perplexity(), x.decodeTokensPerSecond(),
                    x.speedup()));
        }
        protocol(r).forEach((k, v) -> report.protocol(k.replace('_', ' ') + ": " + v));
        SweepTable table = table(r, in.rows());
        if (table != null) {
            report.front(table);
            Charts.write(table.perplexityFront(SweepTable.Runtime.ORT), dir.resolve("charts/speed-quality"));
        }
        List<Map.Entry<String, Path>> models = new ArrayList<>(List.of(Map.entry("dense", r.model())));
        for (StageCache.Done d : in.stages()) {
            if (d.kind() == StageKind.PLOT) {
                ReportParts.sensitivity(report, d.dir(), d.name());
            } else if (d.kind() == StageKind.PRUNE) {
                models.add(Map.entry(d.name() + " (pruned)", d.dir().resolve("pruned")));
            } else if (d.kind() == StageKind.RECOVER) {
                if (!r.valid().isEmpty()) {
                    ReportParts.recovery(report, d.dir(), r.valid().get(0).getFileName().toString());
                }
                models.add(Map.entry(d.name() + " (recovered)", d.dir().resolve(Trainer.RECOVERED_DIR)));
            }
        }
        tasks(report, in.rows());
        String prompt = samplePrompt(r);
        if (prompt != null) {
            ReportParts.samples(report, models, prompt, SAMPLE_TOKENS);
        }
        report.recipe(in.text());
        ReportParts.manifest(report, in.run());
        report.write(dir.resolve(HTML));
        return new JsonObject();
    }

    /** acc per task and model, when the eval scored tasks. */
    private static void tasks(HtmlReport.Builder report, List<SweepRow> rows) {
        List<String> names = new ArrayList<>(rows.get(0).tasks().keySet());
        if (names.isEmpty()) {
            return;
        }
        List<String> header = new ArrayList<>(List.of("model"));
        header.addAll(names);
        List<List<String>> body = new ArrayList<>();
        for (SweepRow x : rows) {
            List<String> row = new ArrayList<>(List.of(x.name()));
            names.forEach(t -> row.add(x.tasks().containsKey(t) ? String.format(Locale.ROOT, "%.3f", x.tasks().get(t)) : "-"));
            body.add(row);
        }
        report.tasks(new HtmlReport.Table("Zero-shot task accuracy (acc)", header, body));
    }

    /** The first three words of the first held-out file: a prompt in the models' language, the same every run. */
    private static String samplePrompt(RunRecipe r) throws IOException {
        if (r.valid().isEmpty()) {
            return null;
        }
        String[] words = Files.readString(r.valid().get(0), StandardCharsets.UTF_8).strip().split("\\s+", 4);
        return words.length == 0 || words[0].isEmpty() ? null
                : String.join(" ", List.of(words).subList(0, Math.min(3, words.length)));
    }

    private static String names(List<Path> files) {
        return files.stream().map(f -> f.getFileName().toString()).collect(Collectors.joining(", "));
    }
}
