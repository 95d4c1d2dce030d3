package prunekit.cli;

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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
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

/** {@code prunekit plot (SCORES.json|DIR) --out DIR}: the pruning charts from scores.json, plan.json, prune-table.json. */
@Command(name = "plot", mixinStandardHelpOptions = true,
        description = "Draw the pruning charts (PNG + SVG) from a run directory or one of its files: head heat map and"
                + " MLP channel importance (scores.json), kept fraction per layer (plan.json), scorers vs oracle"
                + " (scores.json with oracle), perplexity vs keep ratio (prune-table.json).",
        footer = {"", "Examples:", "  prunekit plot run --out run/charts", "  prunekit plot run/scores.json --out charts --scorer taylor"})
public final class PlotCommand implements Callable<Integer> {
    @Mixin JsonOutput json;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "INPUT", description = "a run directory, scores.json, plan.json or prune-table.json")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where the charts go")
    Path out;

    @Option(names = "--scorer", paramLabel = "NAME", description = "scorer for the heat map and channel chart (default: the plan's, else the first)")
    String scorer;

    @Override
    public Integer call() throws IOException {
        Path scoresFile = find("scores.json");
        Path planFile = find("plan.json");
        Path tableFile = find("prune-table.json");
        if (scoresFile == null && planFile == null && tableFile == null) {
            throw new IllegalArgumentException(input + ": no scores.json, plan.json or prune-table.json to plot");
        }
        Map<String, ChartData> charts = new LinkedHashMap<>();
        PruningPlan plan = planFile == null ? null : PlanJson.read(planFile);
        if (scoresFile != null) {
            ImportanceScores s = ScoresJson.read(scoresFile);
            ScorerName n = chooseScorer(s, plan);
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
            charts.put("kept-fraction", PruneCharts.kept(plan, readJson(planFile)));
        }
        if (tableFile != null) {
            PruneCharts.keepRatio(readJson(tableFile)).forEach((model, d) -> charts.put("keep-ratio-" + model, d));
        }
        List<String> written = new ArrayList<>();
        for (Map.Entry<String, ChartData> e : charts.entrySet()) {
            WrittenChart w = Charts.write(e.getValue(), out.resolve(e.getKey()));
            written.add(w.png().toString());
        }
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("charts", written);
        json.print(spec.commandLine().getOut(), res, () -> "wrote " + String.join(", ", written));
        return 0;
    }

    private ScorerName chooseScorer(ImportanceScores s, PruningPlan plan) {
        if (scorer != null) {
            return ScorerName.parse(scorer);
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
    private Path find(String name) {
        if (Files.isDirectory(input)) {
            Path p = input.resolve(name);
            return Files.isRegularFile(p) ? p : null;
        }
        if (!Files.isRegularFile(input)) {
            throw new IllegalArgumentException(input + ": no such file or directory");
        }
        String format = readJsonOrNull(input);
        boolean match = switch (name) {
            case "scores.json" -> ScoresJson.FORMAT.equals(format);
            case "plan.json" -> PlanJson.FORMAT.equals(format);
            default -> format == null && input.getFileName().toString().endsWith(".json") && hasModels(input);
        };
        return match ? input : null;
    }

    private static String readJsonOrNull(Path f) {
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
