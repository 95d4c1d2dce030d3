package prunekit.pipeline;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import prunekit.core.eval.Generator;
import prunekit.core.io.ModelLoader;
import prunekit.recover.RunReport;
import prunekit.viz.HtmlReport;

/**
 * The parts of a run's {@link HtmlReport} that come from its files and models: the sensitivity
 * charts of a plot folder, the recovery curve with the protocol its perplexities were measured
 * under, greedy sample generations and the manifest.
 */
public final class ReportParts {
    /** The plot stage's charts shown under "sensitivity", in this order, where present. */
    private static final List<String> SENSITIVITY = List.of("head-heatmap", "channel-importance", "kept-fraction",
            "scorer-scatter");

    private ReportParts() {
    }

    /** The plot stage's charts found in {@code chartsDir}, under "sensitivity", captioned "{@code label}: name". */
    public static void sensitivity(HtmlReport.Builder report, Path chartsDir, String label) throws IOException {
        for (String name : SENSITIVITY) {
            Path svg = chartsDir.resolve(name + ".svg");
            if (Files.isRegularFile(svg)) {
                report.add(HtmlReport.Section.SENSITIVITY, HtmlReport.Figure.read(label + ": " + name.replace('-', ' '), svg));
            }
        }
    }

    /**
     * The recovery chart of a {@code prunekit recover} folder, captioned and with a protocol line
     * naming its validation windows: they are the first windows of the held-out text, fewer and
     * shorter than eval's, so its perplexities differ from the summary's for the same model.
     */
    public static void recovery(HtmlReport.Builder report, Path recoverDir, String validText) throws IOException {
        Path json = recoverDir.resolve(RunReport.RECOVER_FILE);
        Path svg = recoverDir.resolve("recovery.svg");
        if (!Files.isRegularFile(json) || !Files.isRegularFile(svg)) {
            return;
        }
        JsonObject r = JsonParser.parseString(Files.readString(json, StandardCharsets.UTF_8)).getAsJsonObject();
        if (!r.has("valid_windows") || !r.has("valid_ctx")) {
            return;
        }
        String protocol = String.format(Locale.ROOT, "the first %d windows of %d tokens of %s (recover's validation)",
                r.get("valid_windows").getAsInt(), r.get("valid_ctx").getAsInt(), validText);
        report.protocol("perplexity (recovery chart, its dense and pruned lines included): " + protocol
                + "; a smaller sample than the summary's, so the same model reads differently there");
        report.add(HtmlReport.Section.RECOVERY, HtmlReport.Figure.read("Held-out perplexity during recovery, measured on "
                + protocol, svg));
    }

    /**
     * Each model's greedy continuation of {@code prompt} ({@code newTokens} at most, stopping at EOS),
     * in our engine, in the order given (name, model folder).
     */
    public static void samples(HtmlReport.Builder report, List<Map.Entry<String, Path>> models, String prompt,
                               int newTokens) throws Exception {
        String decoding = "greedy, at most " + newTokens + " new tokens";
        for (Map.Entry<String, Path> m : models) {
            Generation.Result g = Generation.run(ModelLoader.load(m.getValue(), null),
                    new Generation.Request(prompt, null, newTokens, Generator.Sampling.GREEDY, false, null, 1));
            String text = g.text().startsWith(prompt) ? g.text().substring(prompt.length()) : g.text();
            report.add(HtmlReport.Section.GENERATIONS, new HtmlReport.Sample(m.getKey(), prompt, text, decoding));
        }
    }

    /** The run's manifest.json, when it has one. */
    public static void manifest(HtmlReport.Builder report, Path runDir) throws IOException {
        Path manifest = runDir.resolve(RunDirectory.MANIFEST);
        if (Files.isRegularFile(manifest)) {
            report.manifest(Files.readString(manifest, StandardCharsets.UTF_8));
        }
    }
}
