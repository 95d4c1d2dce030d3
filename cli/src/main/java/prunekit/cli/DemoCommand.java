package prunekit.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.viz.Charts;
import prunekit.viz.HtmlReport;
import prunekit.viz.SpeedQualityChart;
import prunekit.viz.WrittenChart;

/**
 * {@code prunekit demo}: the main job on the embedded models and data, with no arguments. The
 * Vietnamese mini-vina model is scored on legal text, cut to 0.386 of its layers' parameters
 * (the VinaLLaMA 7B → 2.7B ratio), evaluated, healed by distillation from the dense model,
 * evaluated again, exported to ONNX, checked against our forward and
 * benchmarked dense against pruned; the run ends in an HTML report. Each step is a real
 * subcommand whose line is printed, so the demo doubles as a recipe.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the main job on the embedded models and data: score, prune to 0.386 of the layers' "
                + "parameters, evaluate, recover by distillation, export to ONNX, verify, benchmark, report (no arguments needed).")
public final class DemoCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin JsonOutput json;

    @Option(names = "--out", defaultValue = "runs/demo", paramLabel = "DIR", description = "run directory (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--keep-ratio", defaultValue = "0.386", description = "share of the layers' parameters to keep (default ${DEFAULT-VALUE})")
    double keepRatio;

    @Option(names = "--scorer", defaultValue = "fluctuation", description = "importance scorer (default ${DEFAULT-VALUE}: best in the README table)")
    String scorer;

    @Option(names = "--recover-tokens", defaultValue = "48K", description = "distillation budget after pruning (default ${DEFAULT-VALUE})")
    String recoverTokens;

    @Override
    public Integer call() throws Exception {
        // with --json the step log goes to stderr and stdout carries only the summary
        PrintWriter log = json.enabled() ? spec.commandLine().getErr() : spec.commandLine().getOut();
        Path home = ModelArg.defaultModel().getParent().getParent();
        String vina = home.resolve("models/mini-vina").toString();
        String calib = home.resolve("data/vi/legal-train-sample.txt").toString();
        String valid = home.resolve("data/vi/legal-valid.txt").toString();
        RunDirectory.prepare(out, "demo");
        Steps steps = new Steps(log);

        JsonObject story = steps.run("stories260K (embedded, GQA): greedy text", "generate",
                "--prompt", "Once upon a time", "--max-positions", "60").getAsJsonObject();
        log.println("   " + story.get("text").getAsString().replace("\n", "\n   "));

        JsonObject dense = steps.run("mini-vina (embedded, Vietnamese, multi-head): held-out perplexity", "eval", vina,
                "--text", valid).getAsJsonObject();
        String pruneDir = out.resolve("prune").toString();
        JsonObject pruned = steps.run("score (" + scorer + ") on legal text and cut to " + keepRatio + " of the layers' parameters",
                "prune", vina, "--scorer", scorer, "--calib", calib, "--samples", "32", "--seq-len", "128",
                "--keep-ratio", Double.toString(keepRatio), "--scope", "layers", "--uniform", "--out", pruneDir)
                .getAsJsonObject();
        String prunedModel = pruned.get("pruned").getAsString();
        JsonObject prunedEval = steps.run("pruned model: held-out perplexity (no recovery)", "eval", prunedModel,
                "--text", valid).getAsJsonObject();
        steps.run("sensitivity charts", "plot", pruneDir, "--out", out.resolve("charts").toString());
        String recoverDir = out.resolve("recover").toString();
        JsonObject rec = steps.run("recover: full fine-tuning with distillation from the dense model (" + recoverTokens + " tokens)",
                "recover", prunedModel, "--teacher", vina, "--data", calib, "--valid", valid, "--tokens", recoverTokens,
                "--mode", "full", "--loss", "kd", "--seq", "128", "--batch", "8", "--eval-windows", "8",
                "--out", recoverDir).getAsJsonObject();
        JsonObject recEval = steps.run("recovered model: held-out perplexity", "eval", rec.get("recovered").getAsString(),
                "--text", valid).getAsJsonObject();

        String denseOnnx = out.resolve("onnx/dense.onnx").toString();
        String prunedOnnx = out.resolve("onnx/pruned.onnx").toString();
        steps.run("export the dense model to ONNX and check it against our forward", "export", vina, denseOnnx, "--verify");
        JsonObject exp = steps.run("export the pruned model to ONNX and check it", "export", prunedModel, prunedOnnx, "--verify")
                .getAsJsonObject();
        JsonObject bench = steps.run("ONNX Runtime: dense vs pruned", "bench", denseOnnx, prunedOnnx,
                "--prefill", "128,256", "--out", out.resolve("bench.json").toString()).getAsJsonObject();

        double denseTps = decodeTps(bench, 0);
        double prunedTps = decodeTps(bench, 1);
        double dPpl = dense.get("perplexity").getAsDouble();
        double pPpl = prunedEval.get("perplexity").getAsDouble();
        double rPpl = recEval.get("perplexity").getAsDouble();
        long dParams = pruned.get("params_before").getAsLong();
        long pParams = pruned.get("params_after").getAsLong();
        Path report = report(dPpl, pPpl, rPpl, dParams, pParams, denseTps, prunedTps);
        RunDirectory.writeManifest(out, "demo", steps.commands(),
                List.of(home.resolve("models/mini-vina/model.safetensors"), home.resolve("models/stories260K.gguf"),
                        Path.of(calib), Path.of(valid)));

        StringBuilder table = new StringBuilder("\n");
        table.append(String.format(Locale.ROOT, "%-22s %12s %12s %16s%n", "model", "parameters", "perplexity", "decode tok/s (b1)"));
        table.append(String.format(Locale.ROOT, "%-22s %,12d %12.2f %16.1f%n", "mini-vina dense", dParams, dPpl, denseTps));
        table.append(String.format(Locale.ROOT, "%-22s %,12d %12.2f %16.1f%n", "mini-vina pruned", pParams, pPpl, prunedTps));
        table.append(String.format(Locale.ROOT, "%-22s %,12d %12.2f %16s%n", "  + recovered (KD)", pParams, rPpl, "(same shapes)"));
        boolean parity = exp.get("parity_passed").getAsBoolean();
        table.append("ONNX parity of the pruned model: ").append(parity ? "passed" : "FAILED").append('\n');
        table.append("report: ").append(report);
        java.util.Map<String, Object> res = new java.util.LinkedHashMap<>();
        res.put("dense", java.util.Map.of("parameters", dParams, "perplexity", dPpl, "decode_tokens_per_s", denseTps));
        res.put("pruned", java.util.Map.of("parameters", pParams, "perplexity", pPpl, "decode_tokens_per_s", prunedTps));
        res.put("recovered", java.util.Map.of("parameters", pParams, "perplexity", rPpl));
        res.put("onnx_parity_passed", parity);
        res.put("report", report.toString());
        res.put("run", out.toString());
        json.print(spec.commandLine().getOut(), res, table::toString);
        log.flush();
        return 0;
    }

    private static double decodeTps(JsonObject bench, int model) {
        for (JsonElement d : bench.getAsJsonArray("models").get(model).getAsJsonObject().getAsJsonArray("decode")) {
            if (d.getAsJsonObject().get("batch").getAsInt() == 1) {
                return d.getAsJsonObject().get("tokensPerSecond").getAsDouble();
            }
        }
        throw new IllegalStateException("bench.json has no batch-1 decode result");
    }

    private Path report(double dPpl, double pPpl, double rPpl, long dParams, long pParams, double dTps, double pTps)
            throws Exception {
        Path charts = out.resolve("charts");
        WrittenChart sq = Charts.write(new SpeedQualityChart.Data("mini-vina: quality vs speed (ONNX Runtime, decode batch 1)",
                false, List.of(new SpeedQualityChart.Point("dense", 1.0, dPpl),
                        new SpeedQualityChart.Point("pruned " + keepRatio, pTps / dTps, pPpl),
                        new SpeedQualityChart.Point("pruned + KD", pTps / dTps, rPpl))), charts.resolve("speed-quality"));
        List<HtmlReport.Figure> figures = new ArrayList<>();
        figures.add(HtmlReport.Figure.of("Perplexity against decode speedup", sq));
        for (Path png : new Path[] {charts.resolve("head-heatmap.png"), charts.resolve("channel-importance.png"),
            charts.resolve("kept-fraction.png"), out.resolve("recover/recovery.png")}) {
            String name = png.getFileName().toString().replace(".png", "");
            if (Files.isRegularFile(png)) {
                figures.add(new HtmlReport.Figure(name.replace('-', ' '), png));
            }
        }
        HtmlReport.Content c = new HtmlReport.Content("prunekit demo: mini-vina cut to " + keepRatio + " of its layers",
                List.of(new HtmlReport.SummaryRow("mini-vina dense", dParams, dPpl, dTps, 1.0),
                        new HtmlReport.SummaryRow("mini-vina pruned (" + scorer + ", no recovery)", pParams, pPpl, pTps, pTps / dTps),
                        new HtmlReport.SummaryRow("mini-vina pruned + distillation (" + recoverTokens + " tokens)", pParams, rPpl,
                                pTps, pTps / dTps)),
                figures, List.of());
        return HtmlReport.write(c, out.resolve("report.html"), HtmlReport.Images.LINK);
    }
}
