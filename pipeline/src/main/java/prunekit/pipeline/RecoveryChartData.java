package prunekit.pipeline;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import prunekit.recover.RunReport;
import prunekit.viz.RecoveryChart;

/**
 * The recovery chart's input from run directories' {@code recover.json}: one line per run (the
 * validation curve: perplexity against tokens, step 0 being the unrecovered model), the teacher's
 * and the unrecovered model's perplexity on the same windows as the horizontal lines.
 */
public final class RecoveryChartData {
    private RecoveryChartData() {
    }

    /** {@code names} may be null (then "MODE LOSS", made unique with the directory name). */
    public static RecoveryChart.Data of(List<Path> runs, List<String> names, String title) throws IOException {
        if (names != null && names.size() != runs.size()) {
            throw new IllegalArgumentException("--names gives " + names.size() + " names for " + runs.size() + " runs");
        }
        List<RecoveryChart.Run> lines = new ArrayList<>();
        Double dense = null;
        Double pruned = null;
        Set<String> used = new HashSet<>();
        for (int i = 0; i < runs.size(); i++) {
            Path file = runs.get(i).resolve(RunReport.RECOVER_FILE);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(runs.get(i) + " has no " + RunReport.RECOVER_FILE + "; give `prunekit recover` output directories");
            }
            JsonObject r = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
            List<Double> tokens = new ArrayList<>();
            List<Double> ppl = new ArrayList<>();
            for (JsonElement e : r.getAsJsonArray("valid_curve")) {
                tokens.add(e.getAsJsonObject().get("tokens").getAsDouble());
                ppl.add(e.getAsJsonObject().get("perplexity").getAsDouble());
            }
            if (tokens.isEmpty()) {
                throw new IllegalArgumentException(file + " has no validation curve: run recover with --valid");
            }
            String name = names != null ? names.get(i) : r.get("mode").getAsString() + " " + r.get("loss").getAsString();
            if (!used.add(name)) {
                name = name + " (" + runs.get(i).getFileName() + ")";
                used.add(name);
            }
            lines.add(new RecoveryChart.Run(name, tokens, ppl));
            if (dense == null && r.has("teacher_valid_perplexity")) {
                dense = r.get("teacher_valid_perplexity").getAsDouble();
            }
            if (pruned == null && r.has("pruned_valid_perplexity")) {
                pruned = r.get("pruned_valid_perplexity").getAsDouble();
            }
        }
        return new RecoveryChart.Data(title, dense, pruned, false, lines);
    }
}
