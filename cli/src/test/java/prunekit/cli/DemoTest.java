package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job runs end to end on the embedded files through the recipe engine and leaves a complete run directory. */
class DemoTest {
    @Test
    void demoProducesPrunedModelOnnxBenchAndReport(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("demo");
        Cli r = Cli.run("demo", "--out", out.toString());
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().contains("ONNX parity of the pruned model: passed"), r.out());
        JsonObject manifest = JsonParser.parseString(Files.readString(out.resolve("manifest.json"))).getAsJsonObject();
        assertEquals("demo", manifest.get("job").getAsString());
        assertEquals(12, manifest.getAsJsonArray("stages").size(),
                "generate, 3 evals, score, prune, plot, recover, 2 exports, bench, report");
        assertTrue(manifest.get("complete").getAsBoolean());
        JsonObject config = JsonParser.parseString(Files.readString(out.resolve("prune/fluctuation-0.386/pruned/config.json")))
                .getAsJsonObject();
        assertTrue(config.get("intermediate_size").getAsInt() < 688, "the MLP was really cut: " + config);
        for (String f : new String[] {"report/html/report.html", "bench/ort/bench.json",
            "export/fluctuation-0.386-onnx/fluctuation-0.386.onnx", "report/html/charts/speed-quality.png",
            "plot/fluctuation-0.386/head-heatmap.png", "prune/fluctuation-0.386/plan.json", "sweep.json"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        String report = Files.readString(out.resolve("report/html/report.html"));
        assertTrue(report.contains("<h2>How each number was measured</h2>") && report.contains("recover&#39;s validation")
                && report.contains("<h2>Sample generations</h2>") && report.contains("<h2>Manifest</h2>"), "report sections");
        assertTrue(!report.contains("<img") && !report.contains("src="), "the report links nothing");
        HeadlessChromium chromium = HeadlessChromium.find();
        if (chromium == null) {
            System.err.println("note: chromium is not installed; the demo's report was not opened in a browser"
                    + " (ReportBrowserTest says how to install it)");
        } else {
            ReportBrowserTest.assertRendered(chromium.open(out.resolve("report/html/report.html"), Files.createDirectories(
                    tmp.resolve("browser"))), report.split("<svg", -1).length - 1);
        }
        // --json: the summary alone on stdout (the step log goes to stderr); only the recovery and what follows it rerun
        Cli j = Cli.run("demo", "--out", out.toString(), "--json", "--recover-tokens", "8K");
        assertEquals(0, j.exit(), j.err());
        JsonObject summary = JsonParser.parseString(j.out()).getAsJsonObject();
        assertTrue(summary.getAsJsonObject("recovered").get("perplexity").getAsDouble()
                < summary.getAsJsonObject("pruned").get("perplexity").getAsDouble(), "distillation helps: " + summary);
        assertTrue(summary.get("onnx_parity_passed").getAsBoolean());
        assertEquals(java.util.List.of("parameters", "perplexity", "decode_tokens_per_s"),
                java.util.List.copyOf(summary.getAsJsonObject("pruned").keySet()), "the same key order every run");
        assertEquals(java.util.List.of("parameters", "perplexity"),
                java.util.List.copyOf(summary.getAsJsonObject("recovered").keySet()));
        assertEquals(3, summary.get("stages_run").getAsInt(), "recover, its eval and the report: " + j.err());
        // the same demo again reuses every stage
        Cli again = Cli.run("demo", "--out", out.toString(), "--json", "--recover-tokens", "8K");
        assertEquals(0, again.exit(), again.err());
        assertEquals(0, JsonParser.parseString(again.out()).getAsJsonObject().get("stages_run").getAsInt(), again.err());
        // a foreign non-empty directory is refused and left alone
        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("keep.txt"), "mine");
        Cli refused = Cli.run("demo", "--out", foreign.toString());
        assertEquals(2, refused.exit());
        assertEquals("mine", Files.readString(foreign.resolve("keep.txt")));
    }
}
