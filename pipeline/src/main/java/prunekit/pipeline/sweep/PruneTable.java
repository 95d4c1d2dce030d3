package prunekit.pipeline.sweep;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Consumer;
import prunekit.calibrate.CalibrationOptions;
import prunekit.calibrate.CalibrationSet;
import prunekit.calibrate.CorpusReader;
import prunekit.calibrate.StatsOptions;
import prunekit.core.io.ModelLoader;
import prunekit.core.model.Model;
import prunekit.core.io.AtomicFiles;
import prunekit.core.io.Json;
import prunekit.prune.budget.Budget;
import prunekit.prune.budget.PlanOptions;
import prunekit.prune.group.GroupKind;
import prunekit.prune.score.ScorerName;
import prunekit.prune.score.ScoringOptions;

/**
 * The pruning table of bench/prune-table.sh: mini-vina (calibrated on SHARED/data/vi/train,
 * evaluated on windows spread over SHARED/data/vi/valid) and the embedded stories260K (ROOT/models;
 * calibrated and evaluated on disjoint halves of text it samples itself), each scorer at each keep
 * ratio of the layers' parameters, uniform and adaptive, no recovery. Writes {@code prune-table.md}
 * and {@code prune-table.json} into {@code out}.
 */
public final class PruneTable {
    public static final List<String> MODELS = List.of("mini-vina", "stories260K");
    static final int EVAL_CTX = 256;

    private PruneTable() {
    }

    /** {@code root}: the checkout (models/stories260K.gguf); {@code shared}: the shared models and data. */
    public record Options(Path out, Path root, Path shared, CalibrationOptions calibration, int evalWindows,
                          int oracleSequences, int oracleSeqLen, List<String> models, List<ScorerName> scorers,
                          List<Double> ratios) {
        public Options {
            if (out == null || root == null || shared == null || calibration == null) {
                throw new IllegalArgumentException("the prune table needs --out, --root, --shared and calibration options");
            }
            models = List.copyOf(models);
            scorers = List.copyOf(scorers);
            ratios = List.copyOf(ratios);
            for (String m : models) {
                if (!MODELS.contains(m)) {
                    throw new IllegalArgumentException("unknown model " + m + "; use one of " + MODELS);
                }
            }
        }
    }

    /** Runs the sweep and writes the table; returns its markdown. */
    public static String run(Options o, Consumer<String> log) throws IOException {
        EnumSet<GroupKind> kinds = EnumSet.of(GroupKind.KV_GROUP, GroupKind.MLP_CHANNEL, GroupKind.ATTENTION_BLOCK,
                GroupKind.MLP_BLOCK, GroupKind.LAYER);
        ScoringOptions so = ScoringOptions.defaults().withKinds(kinds).withStats(new StatsOptions(8, false))
                .withOracle(o.oracleSequences(), o.oracleSeqLen()).withEvaluate(true);
        SweepSpec spec = new SweepSpec(o.scorers(), o.ratios(), Budget.Scope.LAYERS, so, PlanOptions.defaults(), true, 4);
        List<SweepResult> results = new ArrayList<>();
        long t0 = System.nanoTime();
        for (String m : o.models()) {
            results.add(m.equals("mini-vina") ? miniVina(o, spec, log) : stories(o, spec, log));
        }
        return write(o, results, (System.nanoTime() - t0) / 1e9, log);
    }

    private static SweepResult miniVina(Options o, SweepSpec spec, Consumer<String> log) {
        Path shared = o.shared();
        Model m = ModelLoader.load(shared.resolve("models/mini-vina"), null);
        List<Path> train = List.of(shared.resolve("data/vi/train/wiki.txt"), shared.resolve("data/vi/train/legal.txt"));
        List<Path> valid = List.of(shared.resolve("data/vi/valid/wiki.txt"), shared.resolve("data/vi/valid/legal.txt"));
        CalibrationSet calib = CalibrationSet.from(train, m.tokenizer(), o.calibration());
        int[][] eval = Sweep.spreadWindows(CorpusReader.read(valid, m.tokenizer()).ids(), EVAL_CTX, o.evalWindows());
        return Sweep.run(m, "mini-vina", calib, eval, EVAL_CTX, spec, log);
    }

    private static SweepResult stories(Options o, SweepSpec spec, Consumer<String> log) {
        CalibrationOptions co = o.calibration();
        Model m = ModelLoader.load(o.root().resolve("models/stories260K.gguf"), null);
        int calibTokens = 6000;
        int evalTokens = o.evalWindows() * EVAL_CTX + 1;
        int[] text = SelfGeneratedText.stream(m, calibTokens + evalTokens, 256, 1000 + co.seed());
        log.accept("stories260K: sampled " + text.length + " tokens of its own text");
        CalibrationSet calib = CalibrationSet.fromStream(Arrays.copyOf(text, calibTokens + co.windowTokens()),
                "stories260K self-generated text", co);
        int[][] eval = Sweep.spreadWindows(Arrays.copyOfRange(text, calibTokens + co.windowTokens(), text.length),
                EVAL_CTX, o.evalWindows());
        return Sweep.run(m, "stories260K", calib, eval, EVAL_CTX, spec, log);
    }

    private static String write(Options o, List<SweepResult> results, double seconds, Consumer<String> log)
            throws IOException {
        Files.createDirectories(o.out());
        JsonObject out = new JsonObject();
        out.add("options", options(o));
        out.addProperty("seconds", seconds);
        JsonArray models = new JsonArray();
        StringBuilder md = new StringBuilder("# Held-out perplexity after pruning (no recovery)\n\n");
        for (SweepResult r : results) {
            models.add(r.toJson());
            md.append(r.toMarkdown()).append('\n');
        }
        out.add("models", models);
        md.append(String.format("Total time %.0f s.%n", seconds));
        Json.write(o.out().resolve("prune-table.json"), out);
        AtomicFiles.writeString(o.out().resolve("prune-table.md"), md.toString());
        log.accept("wrote " + o.out().resolve("prune-table.md") + " and prune-table.json");
        return md.toString();
    }

    /** The options of the run as strings, as the table's JSON records them. */
    private static JsonObject options(Options o) {
        JsonObject j = new JsonObject();
        j.addProperty("out", o.out().toString());
        j.addProperty("root", o.root().toString());
        j.addProperty("shared", o.shared().toString());
        j.addProperty("samples", Integer.toString(o.calibration().samples()));
        j.addProperty("seq-len", Integer.toString(o.calibration().seqLen()));
        j.addProperty("seed", Long.toString(o.calibration().seed()));
        j.addProperty("eval-windows", Integer.toString(o.evalWindows()));
        j.addProperty("oracle", o.oracleSequences() + "x" + o.oracleSeqLen());
        j.addProperty("models", String.join(",", o.models()));
        j.add("scorers", Json.tree(o.scorers().stream().map(ScorerName::id).toList()));
        j.add("ratios", Json.tree(o.ratios()));
        return j;
    }
}
