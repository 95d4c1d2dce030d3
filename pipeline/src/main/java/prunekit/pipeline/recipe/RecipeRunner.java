package prunekit.pipeline.recipe;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import prunekit.core.io.OutputGuard;
import prunekit.pipeline.PlotStage;
import prunekit.pipeline.ProgressBars;
import prunekit.pipeline.PruneStage;
import prunekit.pipeline.RunDirectory;
import prunekit.prune.score.ScorerName;
import prunekit.recover.Trainer;

/**
 * Runs a {@link RunRecipe} into a run directory: generate, the dense model's held-out perplexity,
 * the scores of each scorer (recon needs none), then for every prune configuration prune → eval → plot and for every recovery recover → eval,
 * then export, bench, report, RUN/sweep.json and the manifest. Each stage goes through the
 * {@link StageCache}, so a second run reuses what is done and a killed run resumes at the stage it was in.
 */
public final class RecipeRunner {
    /** {@code from} null: reuse every valid stage; otherwise rerun that kind of stage and every later kind. */
    public record Options(Path out, StageKind from) {
        public Options {
            if (out == null) {
                throw new IllegalArgumentException("a recipe run needs --out DIR");
            }
        }
    }

    /** The rows (dense first), the greedy texts, and the files written. */
    public record Result(List<SweepRow> rows, List<String> generations, boolean parityChecked, Path report, Path sweep,
                         Path run, int stagesRun, int stagesReused) {
    }

    /** A model the run produced (or was given): its label in stage names, its folder or file and its sha256. */
    private record Made(String label, Path path, String digest) {
    }

    private final RunRecipe r;
    private final PrintWriter log;
    private final ProgressBars bars;
    private final Consumer<String> notes;
    private final StageCache cache;
    private final RunManifest manifest;
    private final List<StageCache.Done> done = new ArrayList<>();
    private final Map<String, JsonArray> tasks = new LinkedHashMap<>();
    private final String text;
    private final Path out;

    private RecipeRunner(RunRecipe r, String text, Options o, PrintWriter log, ProgressBars bars, Consumer<String> notes,
                         Map<String, String> inputs) {
        this.r = r;
        this.text = text;
        this.out = o.out();
        this.log = log;
        this.bars = bars;
        this.notes = notes;
        this.cache = new StageCache(o.out(), o.from());
        this.manifest = new RunManifest(o.out(), r, text, inputs);
    }

    /** {@code text}: the recipe as written (kept in the manifest); {@code log} gets one block per stage. */
    public static Result run(RunRecipe r, String text, Options o, PrintWriter log, ProgressBars bars, Consumer<String> notes)
            throws Exception {
        List<Path> files = new ArrayList<>(List.of(r.model()));
        r.generate().stream().filter(g -> g.model() != null).forEach(g -> files.add(g.model()));
        files.addAll(r.calib());
        files.addAll(r.valid());
        if (r.eval() != null) {
            files.addAll(r.eval().tasks());
        }
        RunDirectory.prepare(o.out());
        // The run directory resumes by design: the guard refuses an --out that is (or is inside) an input and a
        // second prunekit on the same RUN (lock), and marks RUN incomplete until the manifest says complete.
        try (OutputGuard g = OutputGuard.resumableDirectory(o.out(), false, true, files)) {
            Map<String, String> inputs = new LinkedHashMap<>();
            for (Path f : files) {
                inputs.putIfAbsent(f.toString(), StageCache.digest(f));
            }
            Result res = new RecipeRunner(r, text, o, log, bars, notes, inputs).run(o.out(), inputs);
            g.commit();
            return res;
        }
    }

    private Result run(Path out, Map<String, String> inputs) throws Exception {
        manifest.write(false);
        Made dense = new Made("dense", r.model(), inputs.get(r.model().toString()));
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < r.generate().size(); i++) {
            RunRecipe.Generate g = r.generate().get(i);
            Path model = g.model() != null ? g.model() : r.model();
            StageCache.Done d = stage("greedy text of " + model.getFileName() + ": '" + g.prompt() + "'", StageKind.GENERATE,
                    Integer.toString(i), Map.of("prompt", g.prompt(), "max_positions", g.maxPositions()),
                    Map.of("model", inputs.get(model.toString())), dir -> RecipeStages.generate(g, model, dir));
            String text = d.result().get("text").getAsString();
            texts.add(text);
            log.println("   " + text.replace("\n", "\n   "));
        }
        Map<String, Double> ppl = new LinkedHashMap<>();
        eval(dense, ppl);
        List<Made> pruned = new ArrayList<>();
        List<Made> recovered = new ArrayList<>();
        Map<String, JsonObject> pruneResults = new LinkedHashMap<>();
        Map<ScorerName, StageCache.Done> scores = new LinkedHashMap<>();
        for (ScorerName s : r.prune().scorers()) {
            scores.put(s, stage("score (" + s.id() + ") on calibration text", StageKind.SCORE, s.id(),
                    Map.of("scorer", s.id(), "samples", r.prune().samples(), "seq_len", r.prune().seqLen(),
                            "seed", r.prune().seed()), withFiles(Map.of("model", dense.digest()), "calib", r.calib()),
                    dir -> RecipeStages.score(r.prune(), s, r.model(), r.calib(), dir, notes)));
        }
        for (RunRecipe.PruneConfig c : r.prune().configs()) {
            StageCache.Done p = prune(c, dense, scores);
            pruneResults.put(c.name(), p.result());
            Made m = new Made(c.name(), p.dir().resolve(PruneStage.PRUNED), p.digest());
            pruned.add(m);
            eval(m, ppl);
            stage("sensitivity charts of " + c.name(), StageKind.PLOT, c.name(), Map.of(), Map.of("prune", p.digest()),
                    dir -> {
                        PlotStage.run(p.dir(), null, dir);
                        return new JsonObject();
                    });
            for (RunRecipe.Recover rec : r.recover()) {
                Made healed = recover(m, rec, dense);
                recovered.add(healed);
                eval(healed, ppl);
            }
        }
        export(dense, pruned, recovered);
        Map<String, Double> tps = bench(dense, pruned);
        List<SweepRow> rows = RecipeReport.rows(r, pruneResults, ppl, tasks, tps);
        Path report = null;
        if (r.report()) {
            StageCache.Done d = stage("report", StageKind.REPORT, "html", Map.of(), reportInputs(),
                    dir -> RecipeReport.write(new RecipeReport.Inputs(r, text, rows, done, out), dir));
            report = d.dir().resolve(RecipeReport.HTML);
        }
        Path sweep = RecipeReport.writeSweep(r, rows, out);
        manifest.write(true);
        int reused = (int) done.stream().filter(StageCache.Done::reused).count();
        return new Result(rows, texts, r.export() != null && r.export().verify(), report, sweep, out, done.size() - reused,
                reused);
    }

    /** A scored configuration from its scorer's score stage; {@code recon} from the model and the calibration text. */
    private StageCache.Done prune(RunRecipe.PruneConfig c, Made dense, Map<ScorerName, StageCache.Done> scores)
            throws Exception {
        RunRecipe.Prune p = r.prune();
        String what = "prune " + c.name() + ": keep " + c.keepRatio() + " of the " + p.scope().name().toLowerCase(Locale.ROOT)
                + " parameters by ";
        Map<String, Object> s = new LinkedHashMap<>(); // the stage key and marker sort the settings by name
        s.put("keep_ratio", c.keepRatio());
        s.put("scope", p.scope().name());
        s.put("attention", p.attention().name());
        if (c.method() instanceof PruneMethod.Scored m) {
            StageCache.Done sc = scores.get(m.scorer());
            s.put("scorer", m.scorer().id());
            s.put("uniform", p.uniform());
            s.put("align", p.align());
            return stage(what + m.id() + " scores", StageKind.PRUNE, c.name(), s,
                    Map.of("model", dense.digest(), "scores", sc.digest()),
                    dir -> RecipeStages.prune(p, m.scorer(), c.keepRatio(), r.model(), sc.dir().resolve(PruneStage.SCORES),
                            dir, notes));
        }
        RunRecipe.ReconSettings rs = p.recon();
        s.put("method", c.method().id());
        s.put("samples", rs.samples());
        s.put("seq_len", rs.seqLen());
        s.put("seed", p.seed());
        s.put("search_generations", rs.searchGenerations());
        return stage(what + "layer-wise reconstruction (" + rs.samples() + " x " + rs.seqLen() + " tokens, "
                        + (rs.searchGenerations() == 0 ? "uniform" : rs.searchGenerations() + " search generations") + ")",
                StageKind.PRUNE, c.name(), s, withFiles(Map.of("model", dense.digest()), "calib", r.calib()),
                dir -> RecipeStages.recon(p, c.keepRatio(), r.model(), r.calib(), dir, notes));
    }

    private Made recover(Made pruned, RunRecipe.Recover rec, Made dense) throws Exception {
        Map<String, String> in = withFiles(withFiles(Map.of("pruned", pruned.digest(), "teacher", dense.digest()),
                "data", r.calib()), "valid", r.valid());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("tokens", rec.tokens());
        s.put("mode", rec.mode().name());
        s.put("loss", rec.loss().name());
        s.put("lr", rec.lr());
        s.put("batch", rec.batch());
        s.put("seq", rec.seq());
        s.put("eval_windows", rec.evalWindows());
        s.put("lora_rank", rec.loraRank());
        s.put("seed", rec.seed());
        String label = pruned.label() + "--" + rec.name();
        StageCache.Done d = stage("recover " + label + ": " + rec.mode().name().toLowerCase(Locale.ROOT) + " fine-tuning, "
                        + rec.loss().name().toLowerCase(Locale.ROOT) + " loss, " + rec.tokens() + " tokens",
                StageKind.RECOVER, label, s, in, dir -> RecipeStages.recover(rec, pruned.path(), r.model(), r.calib(),
                        r.valid(), dir, bars, notes));
        Path model = d.dir().resolve(Trainer.RECOVERED_DIR);
        return new Made(label, model, StageCache.digest(model));
    }

    private void eval(Made m, Map<String, Double> ppl) throws Exception {
        if (r.eval() == null) {
            return;
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("batch", r.eval().batch());
        s.put("ctx", r.eval().ctx() == null ? "model" : r.eval().ctx());
        Map<String, String> in = withFiles(withFiles(Map.of("model", m.digest()), "valid", r.valid()), "tasks",
                r.eval().tasks());
        StageCache.Done d = stage("held-out perplexity of " + m.label(), StageKind.EVAL, m.label(), s, in,
                dir -> RecipeStages.eval(r.eval(), r.valid(), m.path(), dir, bars));
        double p = d.result().get("perplexity").getAsDouble();
        ppl.put(m.label(), p);
        if (d.result().has("tasks")) {
            tasks.put(m.label(), d.result().getAsJsonArray("tasks"));
        }
        log.printf(Locale.ROOT, "   perplexity %.3f%n", p);
    }

    private void export(Made dense, List<Made> pruned, List<Made> recovered) throws Exception {
        if (r.export() == null) {
            return;
        }
        List<Made> models = new ArrayList<>();
        for (RunRecipe.Which w : r.export().models()) {
            models.addAll(w == RunRecipe.Which.DENSE ? List.of(dense) : w == RunRecipe.Which.PRUNED ? pruned : recovered);
        }
        for (Made m : models) {
            for (RunRecipe.Format f : r.export().formats()) {
                boolean verify = r.export().verify() && f != RunRecipe.Format.GGUF;
                stage("export " + m.label() + " to " + f.id() + (verify ? ", checked against our forward" : ""),
                        StageKind.EXPORT, m.label() + "-" + f.id(), Map.of("format", f.id(), "verify", verify),
                        Map.of("model", m.digest()), dir -> RecipeStages.export(f, verify, m.label(), m.path(), dir));
            }
        }
    }

    /** Batch-1 decode tokens/s by label (empty without a bench section). */
    private Map<String, Double> bench(Made dense, List<Made> pruned) throws Exception {
        Map<String, Double> tps = new LinkedHashMap<>();
        if (r.bench() == null) {
            return tps;
        }
        Map<String, Path> onnx = new LinkedHashMap<>();
        Map<String, String> in = new LinkedHashMap<>();
        List<Made> models = new ArrayList<>(List.of(dense));
        models.addAll(pruned);
        for (Made m : models) {
            Path dir = done.stream().filter(d -> d.kind() == StageKind.EXPORT && d.name().equals(m.label() + "-onnx"))
                    .findFirst().orElseThrow().dir();
            Path file = dir.resolve(m.label() + ".onnx");
            onnx.put(m.label(), file);
            in.put(m.label(), StageCache.digest(file));
        }
        RunRecipe.Bench b = r.bench();
        StageCache.Done d = stage("ONNX Runtime: decode and prefill speed of " + String.join(", ", onnx.keySet()),
                StageKind.BENCH, "ort", Map.of("prefill", b.prefill(), "batches", b.batches(), "context", b.context(),
                        "steps", b.steps(), "warmup", b.warmup(), "runs", b.runs(), "threads", b.threads(), "seed", b.seed()),
                in, dir -> RecipeStages.bench(b, onnx, dir));
        d.result().getAsJsonObject("decode_tokens_per_s").entrySet()
                .forEach(e -> tps.put(e.getKey(), e.getValue().getAsDouble()));
        return tps;
    }

    private Map<String, String> reportInputs() {
        Map<String, String> in = new LinkedHashMap<>();
        for (StageCache.Done d : done) {
            if (d.kind() != StageKind.EXPORT) {
                in.put(d.kind().id() + "/" + d.name(), d.digest());
            }
        }
        return in;
    }

    private static Map<String, String> withFiles(Map<String, String> base, String label, List<Path> files) throws Exception {
        Map<String, String> m = new LinkedHashMap<>(base);
        for (int i = 0; i < files.size(); i++) {
            m.put(label + "[" + i + "]", StageCache.digest(files.get(i)));
        }
        return m;
    }

    private StageCache.Done stage(String title, StageKind kind, String name, Map<String, Object> settings,
                                  Map<String, String> inputs, StageCache.Body body) throws Exception {
        log.println("== " + title);
        log.flush();
        StageCache.Done d = cache.run(kind, name, settings, inputs, body);
        if (d.reused()) {
            log.printf(Locale.ROOT, "   reused %s/%s (key %.12s)%n", kind.id(), name, d.key());
        } else {
            log.printf(Locale.ROOT, "   (%.1f s) %s/%s%n", d.seconds(), kind.id(), name);
        }
        log.flush();
        done.add(d);
        manifest.add(d);
        return d;
    }
}
