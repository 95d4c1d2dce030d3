package prunekit.pipeline;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import prunekit.core.io.FormatException;
import prunekit.prune.group.GroupKind;
import prunekit.prune.plan.PlanJson;
import prunekit.prune.plan.PruningPlan;
import prunekit.prune.score.ImportanceScores;
import prunekit.prune.score.ScorerName;
import prunekit.prune.score.ScoresJson;
import prunekit.viz.ChartData;
import prunekit.viz.Charts;
import prunekit.viz.WrittenChart;

/**
 * The pruning charts (PNG + SVG) from a run directory or one of its files: head heat map and MLP
 * channel importance (scores.json), kept fraction per layer (plan.json), scorers vs oracle
 * (scores.json with oracle), perplexity vs keep ratio (prune-table.json).
 */
public final class PlotStage {
    private PlotStage() {
    }

    /** {@code scorer} null: the plan's, else the first that is not the oracle. */
    public static List<Path> run(Path input, ScorerName scorer, Path out) throws IOException {
        Path scoresFile = find(input, "scores.json");
        Path planFile = find(input, "plan.json");
        Path tableFile = find(input, "prune-table.json");
        if (scoresFile == null && planFile == null && tableFile == null) {
            throw new IllegalArgumentException(input + ": no scores.json, plan.json or prune-table.json to plot");
        }
        Map<String, ChartData> charts = new LinkedHashMap<>();
        PruningPlan plan = planFile == null ? null : PlanJson.read(planFile);
        if (scoresFile != null) {
            ImportanceScores s = ScoresJson.read(scoresFile);
            ScorerName n = chooseScorer(s, plan, scorer);
            if (s.has(n, GroupKind.QUERY_HEAD) || s.has(n, GroupKind.KV_GROUP)) {
                charts.put("head-heatmap", PruneCharts.heads(s, n, plan));
            }
            if (s.has(n, GroupKind.MLP_CHANNEL)) {
                charts.put("channel-importance", PruneCharts.channels(s, n));
            }
            ChartData scatter = PruneCharts.scatter(s);
            if (scatter != null) {
                charts.put("scorer-scatter", scatter);
            }
        }
        if (plan != null) {
            charts.put("kept-fraction", PruneCharts.kept(plan, PlanJson.originalShapes(planFile)));
        }
        if (tableFile != null) {
            try {
                PruneCharts.keepRatio(readJson(tableFile)).forEach((model, d) -> charts.put("keep-ratio-" + model, d));
            } catch (IllegalStateException | NullPointerException | ClassCastException | UnsupportedOperationException
                     | NumberFormatException e) { // gson's getAs… on a missing or ill-typed field
                throw new FormatException(tableFile, "not a prune-table.json prunekit wrote (" + e.getMessage() + ")", e);
            }
        }
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, ChartData> e : charts.entrySet()) {
            WrittenChart w = Charts.write(e.getValue(), out.resolve(e.getKey()));
            written.add(w.png());
        }
        return written;
    }

    private static ScorerName chooseScorer(ImportanceScores s, PruningPlan plan, ScorerName scorer) {
        if (scorer != null) {
            return scorer;
        }
        if (plan != null) {
            for (ScorerName n : s.scorers()) {
                if (n.id().equals(plan.scorer())) {
                    return n;
                }
            }
        }
        return s.scorers().stream().filter(n -> n != ScorerName.ORACLE).findFirst()
                .orElse(s.scorers().iterator().next());
    }

    /** {@code name} in the input directory, or the input file itself when it is that kind of file. */
    private static Path find(Path input, String name) {
        if (Files.isDirectory(input)) {
            Path p = input.resolve(name);
            return Files.isRegularFile(p) ? p : null;
        }
        if (!Files.isRegularFile(input)) {
            throw new IllegalArgumentException(input + ": no such file or directory");
        }
        String format = formatOf(input);
        boolean match = switch (name) {
            case "scores.json" -> ScoresJson.FORMAT.equals(format);
            case "plan.json" -> PlanJson.FORMAT.equals(format);
            default -> format == null && input.getFileName().toString().endsWith(".json") && hasModels(input);
        };
        return match ? input : null;
    }

    private static String formatOf(Path f) {
        try {
            JsonObject o = readJson(f);
            return o.has("format") ? o.get("format").getAsString() : null;
        } catch (IOException | RuntimeException e) {
            throw new FormatException(f, "not a JSON file prunekit wrote (" + e.getMessage() + ")", e);
        }
    }

    private static boolean hasModels(Path f) {
        try {
            return readJson(f).has("models");
        } catch (IOException e) {
            return false;
        }
    }

    private static JsonObject readJson(Path f) throws IOException {
        return JsonParser.parseString(Files.readString(f, StandardCharsets.UTF_8)).getAsJsonObject();
    }
}
