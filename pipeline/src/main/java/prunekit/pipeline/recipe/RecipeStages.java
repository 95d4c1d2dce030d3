package prunekit.pipeline.recipe;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import prunekit.calibrate.CalibrationOptions;
import prunekit.core.io.GgmlType;
import prunekit.core.io.GgufWriter;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.io.Json;
import prunekit.core.io.LazyModel;
import prunekit.core.io.TensorSource;
import prunekit.core.eval.tasks.TaskScore;
import prunekit.core.io.ModelLoader;
import prunekit.core.model.DType;
import prunekit.core.model.Model;
import prunekit.export.BenchReport;
import prunekit.export.OnnxFlavour;
import prunekit.export.OnnxWriter;
import prunekit.export.OrtBench;
import prunekit.export.onnx.OnnxFile;
import prunekit.pipeline.BenchStage;
import prunekit.pipeline.Calibration;
import prunekit.pipeline.EvalStage;
import prunekit.pipeline.ExportStage;
import prunekit.pipeline.Generation;
import prunekit.pipeline.ProgressBars;
import prunekit.pipeline.PruneStage;
import prunekit.pipeline.ReconStage;
import prunekit.prune.recon.ReconOptions;
import prunekit.pipeline.RecoverStage;
import prunekit.pipeline.ScoreStage;
import prunekit.pipeline.TaskStage;
import prunekit.prune.budget.Budget;
import prunekit.prune.budget.PlanOptions;
import prunekit.prune.score.ScorerName;
import prunekit.prune.score.ScoringOptions;
import prunekit.recover.LoraSpec;
import prunekit.recover.LossSpec;
import prunekit.recover.Recipe;
import prunekit.recover.RunOptions;
import prunekit.recover.TokenBudget;
import prunekit.recover.TrainRecipe;

/**
 * The body of each recipe stage: a recipe section turned into the options of the existing stage
 * class (ScoreStage, PruneStage, ReconStage, RecoverStage, EvalStage, ExportStage, BenchStage, Generation), run into the
 * stage's directory, and the few numbers later stages need returned as JSON.
 */
final class RecipeStages {
    static final String EVAL_FILE = "eval.json";
    static final String BENCH_FILE = "bench.json";

    private RecipeStages() {
    }

    static Model load(Path model) {
        return ModelLoader.load(model, null);
    }

    static JsonObject generate(RunRecipe.Generate g, Path model, Path dir) throws Exception {
        Generation.Result r = Generation.run(load(model), Generation.Request.greedy(g.prompt(), g.maxPositions()));
        JsonObject o = new JsonObject();
        o.addProperty("text", r.text());
        o.add("ids", Json.ints(r.ids()));
        Json.write(dir.resolve("generation.json"), o);
        JsonObject res = new JsonObject();
        res.addProperty("text", r.text());
        return res;
    }

    static JsonObject eval(RunRecipe.Eval e, List<Path> valid, Path model, Path dir, ProgressBars bars) throws Exception {
        Model m = load(model);
        EvalStage.Result r = EvalStage.run(m, new EvalStage.Options(valid, e.ctx(), e.batch()), bars);
        JsonObject res = new JsonObject();
        res.addProperty("perplexity", r.perplexity().perplexity());
        res.addProperty("bits_per_byte", r.perplexity().bitsPerByte());
        res.addProperty("windows", r.perplexity().windows());
        res.addProperty("ctx", r.ctx());
        if (!e.tasks().isEmpty()) {
            TaskStage.Result t = TaskStage.run(m, new TaskStage.Options(e.tasks()), bars);
            res.add("tasks", Json.tree(t.scores().stream().map(RecipeStages::task).toList()));
        }
        Json.write(dir.resolve(EVAL_FILE), res);
        return res;
    }

    private static Map<String, Object> task(TaskScore s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", s.task());
        m.put("n", s.n());
        m.put("acc", s.acc());
        m.put("acc_stderr", s.accStderr());
        m.put("acc_norm", s.accNorm());
        m.put("acc_norm_stderr", s.accNormStderr());
        m.put("chance", s.chance());
        return m;
    }

    /** Importance scores of one scorer on the calibration text: {@code dir/scores.json}. */
    static JsonObject score(RunRecipe.Prune p, ScorerName scorer, Path model, List<Path> calib, Path dir,
                            Consumer<String> notes) {
        Model m = load(model);
        Calibration cal = new Calibration(calib, new CalibrationOptions(p.samples(), p.seqLen(), p.seed(),
                CalibrationOptions.DEFAULT_HELD_OUT));
        ScoreStage.run(new LazyModel(TensorSource.of(m.weights(), m.source()), m.tokenizer()), new ScoreStage.Options(cal,
                List.of(scorer), ScoringOptions.defaults().withOracle(2, 64), dir), msg -> notes.accept("score: " + msg));
        return new JsonObject();
    }

    /**
     * Plan and surgery from a score stage's scores.json (the same bytes as scoring inside the prune),
     * copied beside the plan so the folder holds what {@code prunekit prune} writes and plots from.
     */
    static JsonObject prune(RunRecipe.Prune p, ScorerName scorer, double keepRatio, Path model, Path scores, Path dir,
                            Consumer<String> notes) throws IOException {
        Files.copy(scores, dir.resolve(PruneStage.SCORES));
        PlanOptions plan = PlanOptions.defaults().withUniform(p.uniform()).withAlign(p.align()).withAttention(p.attention())
                .withDepth(null).withBiasCompensation(false);
        Calibration none = new Calibration(List.of(), new CalibrationOptions(p.samples(), p.seqLen(), p.seed(),
                CalibrationOptions.DEFAULT_HELD_OUT));
        PruneStage.Result r = PruneStage.run(load(model), new PruneStage.Options(scores, scorer, none,
                new Budget.KeepRatio(keepRatio, p.scope()), plan, dir), msg -> notes.accept("prune: " + msg));
        return sizes(r.paramsBefore(), r.paramsAfter(), r.layerParamsBefore(), r.layerParamsAfter());
    }

    /**
     * {@code prunekit prune} without a scorer (layer-wise reconstruction, {@link ReconStage}) on the recipe's
     * calibration text: {@code dir/plan.json} and {@code dir/pruned}, one layer of the model in memory at a time.
     */
    static JsonObject recon(RunRecipe.Prune p, double keepRatio, Path model, List<Path> calib, Path dir,
                            Consumer<String> notes) {
        RunRecipe.ReconSettings s = p.recon();
        Calibration cal = new Calibration(calib, new CalibrationOptions(s.samples(), s.seqLen(), p.seed(),
                CalibrationOptions.DEFAULT_HELD_OUT));
        ReconStage.Result r;
        try (LazyModel m = ModelLoader.open(model, null)) {
            r = ReconStage.run(m, new ReconStage.Options(cal, s.samples(), s.seqLen(), new Budget.KeepRatio(keepRatio,
                    p.scope()), p.attention(), ReconOptions.Matmul.AUTO, s.searchGenerations(), s.searchGenerations() == 0, dir,
                    HfCheckpoint.WriteOptions.defaults(), null), msg -> notes.accept("prune: " + msg));
        }
        JsonObject res = sizes(r.paramsBefore(), r.paramsAfter(), r.layerParamsBefore(), r.layerParamsAfter());
        res.addProperty("calibration_tokens", r.calibrationTokens());
        return res;
    }

    private static JsonObject sizes(long before, long after, long layersBefore, long layersAfter) {
        JsonObject res = new JsonObject();
        res.addProperty("params_before", before);
        res.addProperty("params_after", after);
        res.addProperty("layer_params_before", layersBefore);
        res.addProperty("layer_params_after", layersAfter);
        return res;
    }

    /** `prunekit recover`'s defaults for everything the recipe does not set. */
    static JsonObject recover(RunRecipe.Recover r, Path pruned, Path teacher, List<Path> data, List<Path> valid, Path dir,
                              ProgressBars bars, Consumer<String> notes) throws Exception {
        int steps = TokenBudget.steps(TokenBudget.parseTokens(r.tokens()), r.batch() * r.seq());
        int evalEvery = Math.max(1, steps / 10);
        TrainRecipe train = TrainRecipe.builder().steps(steps).batch(r.batch()).seq(r.seq()).accumulation(1).lr(r.lr())
                .minLr(r.lr() / 10).warmup(Math.max(1, Math.min(steps, (int) Math.round(0.05 * steps)))).weightDecay(0)
                .clip(1.0).seed(r.seed()).evalEvery(evalEvery).evalWindows(r.evalWindows()).checkpointEvery(evalEvery)
                .keepCheckpoints(2).build();
        LoraSpec lora = r.mode() == Recipe.Mode.LORA ? new LoraSpec(r.loraRank(), 2.0 * r.loraRank(),
                LoraSpec.parseTargets("q,k,v,o,gate,up,down"), r.seed()) : null;
        Recipe recipe = Recipe.recover(train, r.mode(), lora, new LossSpec(r.loss(), 0.5, 1.0, 0, null), 0);
        RecoverStage.Result res = RecoverStage.run(load(pruned), load(teacher),
                new RecoverStage.Options(recipe, RunOptions.defaults(), data, valid, dir, false), bars, notes);
        JsonObject o = new JsonObject();
        o.addProperty("last_step", res.run().lastStep());
        o.addProperty("best_step", res.run().bestStep());
        return o;
    }

    /** One model in one format: {@code dir/LABEL.onnx}, {@code dir/LABEL/} (the HF ONNX folder) or {@code dir/LABEL.gguf}. */
    static JsonObject export(RunRecipe.Format f, boolean verify, String label, Path model, Path dir) throws Exception {
        JsonObject o = new JsonObject();
        Model m = load(model);
        if (f == RunRecipe.Format.GGUF) {
            GgufWriter.write(m, dir.resolve(label + ".gguf"), GgufWriter.Options.of(GgmlType.F32, label));
            return o;
        }
        OnnxWriter.Options w = OnnxWriter.Options.defaults().withFlavour(OnnxFlavour.STANDARD).withWeightDtype(DType.F32)
                .withExternalData(OnnxFile.ExternalData.AUTO);
        boolean folder = f == RunRecipe.Format.ONNX_FOLDER;
        ExportStage.Result r = ExportStage.run(m,
                folder ? dir.resolve(label) : dir.resolve(label + ".onnx"), new ExportStage.Options(w, verify, null, 2), folder);
        if (!r.passed()) {
            throw new IllegalStateException("export of " + label + " to " + f.id() + " failed its parity check: "
                    + r.parity().summary());
        }
        o.addProperty("parity_passed", r.parity() != null);
        return o;
    }

    /** {@code onnx}: label → file, the dense model first; the result maps each label to its batch-1 decode tokens/s. */
    static JsonObject bench(RunRecipe.Bench b, Map<String, Path> onnx, Path dir) throws Exception {
        OrtBench.Config config = new OrtBench.Config(b.prefill(), b.batches(), b.context(), b.steps(), b.warmup(), b.runs(),
                b.threads(), b.seed());
        BenchReport report = BenchStage.run(new BenchStage.Options(List.copyOf(onnx.values()), List.of(),
                OnnxWriter.Options.defaults().withFlavour(OnnxFlavour.STANDARD), config, dir.resolve(BENCH_FILE)));
        Map<String, Double> tps = new LinkedHashMap<>();
        int i = 0;
        for (String label : onnx.keySet()) {
            tps.put(label, BenchStage.decodeTokensPerSecond(report, i++));
        }
        JsonObject o = new JsonObject();
        o.add("decode_tokens_per_s", Json.tree(tps));
        return o;
    }
}
