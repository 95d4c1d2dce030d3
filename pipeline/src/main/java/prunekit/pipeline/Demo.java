package prunekit.pipeline;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import prunekit.calibrate.CalibrationOptions;
import prunekit.core.engine.Engines;
import prunekit.core.io.ModelLoader;
import prunekit.core.model.DType;
import prunekit.core.model.Model;
import prunekit.export.BenchReport;
import prunekit.export.OnnxFlavour;
import prunekit.export.OnnxWriter;
import prunekit.export.OrtBench;
import prunekit.export.onnx.OnnxFile;
import prunekit.prune.budget.AttentionUnit;
import prunekit.prune.budget.Budget;
import prunekit.prune.budget.PlanOptions;
import prunekit.prune.score.ScorerName;
import prunekit.recover.LossKind;
import prunekit.recover.LossSpec;
import prunekit.recover.RunOptions;
import prunekit.recover.Recipe;
import prunekit.recover.TokenBudget;
import prunekit.recover.TrainRecipe;
import prunekit.viz.Charts;
import prunekit.viz.HtmlReport;
import prunekit.viz.SpeedQualityChart;
import prunekit.viz.WrittenChart;

/**
 * The main job on the embedded models and data: the Vietnamese mini-vina model is scored on legal
 * text, cut to a share of its layers' parameters (0.386: the VinaLLaMA 7B → 2.7B ratio), evaluated,
 * healed by distillation from the dense model, evaluated again, exported to ONNX, checked against
 * our forward and benchmarked dense against pruned; the run ends in an HTML report. Each step is a
 * stage called directly; its log line is the equivalent {@code prunekit} command, so the demo
 * doubles as a recipe.
 */
public final class Demo {
    public static final String JOB = "demo";
    private static final int BATCH = 8;
    private static final int SEQ = 128;

    /** {@code home}: the checkout holding models/ and data/vi/; {@code recoverTokens} as in "48K". */
    public record Options(Path home, Path out, double keepRatio, ScorerName scorer, String recoverTokens) {
        public Options {
            if (home == null || out == null || scorer == null || recoverTokens == null) {
                throw new IllegalArgumentException("the demo needs a home, --out, --scorer and --recover-tokens");
            }
            if (!(keepRatio > 0 && keepRatio <= 1)) {
                throw new IllegalArgumentException("--keep-ratio must be in (0, 1], got " + keepRatio);
            }
        }
    }

    /** One row of the summary; {@code decodeTokensPerSecond} NaN where not measured (the recovered model). */
    public record Row(long parameters, double perplexity, double decodeTokensPerSecond) {
    }

    public record Result(Row dense, Row pruned, Row recovered, boolean onnxParityPassed, Path report, Path run) {
    }

    private final Options o;
    private final StepLog steps;
    private final ProgressBars bars;
    private final Consumer<String> notes;

    /** {@code log} gets the step log; {@code bars} and {@code notes} the stages' progress. */
    private Demo(Options o, PrintWriter log, ProgressBars bars, Consumer<String> notes) {
        this.o = o;
        this.steps = new StepLog(log);
        this.bars = bars;
        this.notes = notes;
    }

    public static Result run(Options o, PrintWriter log, ProgressBars bars, Consumer<String> notes) throws Exception {
        return new Demo(o, log, bars, notes).run(log);
    }

    private Result run(PrintWriter log) throws Exception {
        Path out = o.out();
        Path stories = o.home().resolve("models/stories260K.gguf");
        Path vina = o.home().resolve("models/mini-vina");
        Path calib = o.home().resolve("data/vi/legal-train-sample.txt");
        Path valid = o.home().resolve("data/vi/legal-valid.txt");
        RunDirectory.prepare(out, JOB);

        Generation.Result story = steps.run("stories260K (embedded, GQA): greedy text",
                () -> Generation.run(load(stories), Generation.Request.greedy("Once upon a time", 60)),
                "generate", "--prompt", "Once upon a time", "--max-positions", "60");
        log.println("   " + story.text().replace("\n", "\n   "));

        double dPpl = eval("mini-vina (embedded, Vietnamese, multi-head): held-out perplexity", vina, valid);
        Path pruneDir = out.resolve("prune");
        PruneStage.Result pruned = steps.run("score (" + o.scorer().id() + ") on legal text and cut to " + o.keepRatio()
                        + " of the layers' parameters", () -> PruneStage.run(load(vina), pruneOptions(calib, pruneDir),
                        msg -> notes.accept("prune: " + msg)),
                "prune", vina.toString(), "--scorer", o.scorer().id(), "--calib", calib.toString(), "--samples", "32",
                "--seq-len", Integer.toString(SEQ), "--keep-ratio", Double.toString(o.keepRatio()), "--scope", "layers",
                "--uniform", "--out", pruneDir.toString());
        double pPpl = eval("pruned model: held-out perplexity (no recovery)", pruned.pruned(), valid);
        Path charts = out.resolve("charts");
        steps.run("sensitivity charts", () -> PlotStage.run(pruneDir, null, charts),
                "plot", pruneDir.toString(), "--out", charts.toString());
        Path recoverDir = out.resolve("recover");
        RecoverStage.Result rec = steps.run("recover: full fine-tuning with distillation from the dense model ("
                        + o.recoverTokens() + " tokens)",
                () -> RecoverStage.run(load(pruned.pruned()), load(vina), recoverOptions(calib, valid, recoverDir), bars, notes),
                "recover", pruned.pruned().toString(), "--teacher", vina.toString(), "--data", calib.toString(),
                "--valid", valid.toString(), "--tokens", o.recoverTokens(), "--mode", "full", "--loss", "kd",
                "--seq", Integer.toString(SEQ), "--batch", Integer.toString(BATCH), "--eval-windows", "8",
                "--out", recoverDir.toString());
        double rPpl = eval("recovered model: held-out perplexity", rec.recovered(), valid);

        Path denseOnnx = out.resolve("onnx/dense.onnx");
        Path prunedOnnx = out.resolve("onnx/pruned.onnx");
        export("export the dense model to ONNX and check it against our forward", vina, denseOnnx);
        boolean parity = export("export the pruned model to ONNX and check it", pruned.pruned(), prunedOnnx);
        BenchReport bench = steps.run("ONNX Runtime: dense vs pruned", () -> BenchStage.run(benchOptions(denseOnnx, prunedOnnx)),
                "bench", denseOnnx.toString(), prunedOnnx.toString(), "--prefill", "128,256",
                "--out", out.resolve("bench.json").toString());

        Row dense = new Row(pruned.paramsBefore(), dPpl, BenchStage.decodeTokensPerSecond(bench, 0));
        Row cut = new Row(pruned.paramsAfter(), pPpl, BenchStage.decodeTokensPerSecond(bench, 1));
        Row healed = new Row(pruned.paramsAfter(), rPpl, Double.NaN);
        Path report = report(dense, cut, healed);
        RunDirectory.writeManifest(out, JOB, steps.commands(), List.of(vina.resolve("model.safetensors"), stories, calib, valid));
        return new Result(dense, cut, healed, parity, report, out);
    }

    private static Model load(Path model) {
        return ModelLoader.load(model, null);
    }

    private double eval(String title, Path model, Path text) throws Exception {
        EvalStage.Result r = steps.run(title, () -> EvalStage.run(load(model), new EvalStage.Options(List.of(text), null, 8), bars),
                "eval", model.toString(), "--text", text.toString());
        return r.perplexity().perplexity();
    }

    /** Exports with --verify; a failed parity check fails the step, as `prunekit export --verify` exits 1. */
    private boolean export(String title, Path model, Path onnx) throws Exception {
        ExportStage.Result r = steps.run(title, () -> ExportStage.run(load(model), onnx,
                        ExportStage.Options.verified(OnnxWriter.Options.defaults().withFlavour(OnnxFlavour.STANDARD)
                                .withWeightDtype(DType.F32).withExternalData(OnnxFile.ExternalData.AUTO))),
                "export", model.toString(), onnx.toString(), "--verify");
        if (!r.passed()) {
            throw new IllegalStateException("step '" + title + "' failed: " + r.parity().summary());
        }
        return r.passed();
    }

    private PruneStage.Options pruneOptions(Path calib, Path dir) {
        PlanOptions plan = PlanOptions.defaults().withUniform(true).withAlign(1).withAttention(AttentionUnit.KV_GROUPS)
                .withDepth(null).withBiasCompensation(false);
        Calibration c = new Calibration(List.of(calib), new CalibrationOptions(32, SEQ, 0, CalibrationOptions.DEFAULT_HELD_OUT));
        return new PruneStage.Options(null, o.scorer(), c, new Budget.KeepRatio(o.keepRatio(), Budget.Scope.LAYERS), plan, dir);
    }

    /** Full fine-tuning on KD with `prunekit recover`'s defaults for everything the demo does not set. */
    private RecoverStage.Options recoverOptions(Path calib, Path valid, Path dir) {
        int steps = TokenBudget.steps(TokenBudget.parseTokens(o.recoverTokens()), BATCH * SEQ);
        double lr = 5e-4;
        int evalEvery = Math.max(1, steps / 10);
        TrainRecipe train = TrainRecipe.builder().steps(steps).batch(BATCH).seq(SEQ).accumulation(1).lr(lr).minLr(lr / 10)
                .warmup(Math.max(1, Math.min(steps, (int) Math.round(0.05 * steps)))).weightDecay(0).clip(1.0).seed(1234)
                .evalEvery(evalEvery).evalWindows(8).checkpointEvery(evalEvery).keepCheckpoints(2).build();
        Recipe recipe = Recipe.recover(train, Recipe.Mode.FULL, null, new LossSpec(LossKind.KD, 0.5, 1.0, 0, null), 0);
        return new RecoverStage.Options(recipe, RunOptions.defaults(), List.of(calib), List.of(valid), dir, false);
    }

    private BenchStage.Options benchOptions(Path denseOnnx, Path prunedOnnx) {
        return new BenchStage.Options(List.of(denseOnnx, prunedOnnx), List.of(),
                OnnxWriter.Options.defaults().withFlavour(OnnxFlavour.STANDARD),
                new OrtBench.Config(List.of(128, 256), List.of(1, 4), 128, 32, 1, 3, Engines.intraOpThreads(), 42), o.out().resolve("bench.json"));
    }

    private Path report(Row dense, Row pruned, Row recovered) throws Exception {
        Path charts = o.out().resolve("charts");
        double speedup = pruned.decodeTokensPerSecond() / dense.decodeTokensPerSecond();
        WrittenChart sq = Charts.write(new SpeedQualityChart.Data("mini-vina: quality vs speed (ONNX Runtime, decode batch 1)",
                false, List.of(new SpeedQualityChart.Point("dense", 1.0, dense.perplexity()),
                        new SpeedQualityChart.Point("pruned " + o.keepRatio(), speedup, pruned.perplexity()),
                        new SpeedQualityChart.Point("pruned + KD", speedup, recovered.perplexity()))),
                charts.resolve("speed-quality"));
        List<HtmlReport.Figure> figures = new ArrayList<>();
        figures.add(HtmlReport.Figure.of("Perplexity against decode speedup", sq));
        for (Path png : new Path[] {charts.resolve("head-heatmap.png"), charts.resolve("channel-importance.png"),
            charts.resolve("kept-fraction.png"), o.out().resolve("recover/recovery.png")}) {
            String name = png.getFileName().toString().replace(".png", "");
            if (Files.isRegularFile(png)) {
                figures.add(new HtmlReport.Figure(name.replace('-', ' '), png));
            }
        }
        double pTps = pruned.decodeTokensPerSecond();
        HtmlReport.Content c = new HtmlReport.Content("prunekit demo: mini-vina cut to " + o.keepRatio() + " of its layers",
                List.of(new HtmlReport.SummaryRow("mini-vina dense", dense.parameters(), dense.perplexity(),
                                dense.decodeTokensPerSecond(), 1.0),
                        new HtmlReport.SummaryRow("mini-vina pruned (" + o.scorer().id() + ", no recovery)", pruned.parameters(),
                                pruned.perplexity(), pTps, speedup),
                        new HtmlReport.SummaryRow("mini-vina pruned + distillation (" + o.recoverTokens() + " tokens)",
                                recovered.parameters(), recovered.perplexity(), pTps, speedup)),
                figures, List.of());
        return HtmlReport.write(c, o.out().resolve("report.html"), HtmlReport.Images.LINK);
    }
}
