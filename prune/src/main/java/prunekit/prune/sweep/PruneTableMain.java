package prunekit.prune.sweep;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import prunekit.calibrate.CalibrationOptions;
import prunekit.calibrate.CalibrationSet;
import prunekit.calibrate.CorpusReader;
import prunekit.calibrate.StatsOptions;
import prunekit.core.io.AtomicFiles;
import prunekit.core.io.Json;
import prunekit.core.io.ModelLoader;
import prunekit.core.model.Model;
import prunekit.prune.budget.Budget;
import prunekit.prune.budget.PlanOptions;
import prunekit.prune.group.GroupKind;
import prunekit.prune.score.ScorerName;
import prunekit.prune.score.ScoringOptions;

/**
 * The pruning table of bench/prune-table.sh: mini-vina (calibrated on ../shared/data/vi/train,
 * evaluated on windows spread over ../shared/data/vi/valid) and the embedded stories260K
 * (calibrated and evaluated on disjoint halves of text it samples itself), every scorer at keep
 * ratios 0.9, 0.7, 0.5 and 0.386 of the layers' parameters, uniform and adaptive, no recovery.
 * Writes {@code prune-table.md} and {@code prune-table.json} into {@code --out}.
 *
 * <p>Options: {@code --out DIR} (required), {@code --root DIR} (project root, default "."),
 * {@code --shared DIR} (default ROOT/../shared), {@code --samples N} (32), {@code --seq-len L}
 * (128), {@code --seed S} (0), {@code --eval-windows N} (16 windows of 256), {@code --oracle BxT}
 * (2x64), {@code --models mini-vina,stories260K}.
 */
public final class PruneTableMain {
    static final List<Double> RATIOS = List.of(0.9, 0.7, 0.5, 0.386);
    static final int EVAL_CTX = 256;

    private PruneTableMain() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> a = parse(args);
        Path out = Path.of(require(a, "out"));
        Path root = Path.of(a.getOrDefault("root", "."));
        Path shared = Path.of(a.getOrDefault("shared", root.resolve("../shared").toString()));
        int samples = Integer.parseInt(a.getOrDefault("samples", "32"));
        int seqLen = Integer.parseInt(a.getOrDefault("seq-len", "128"));
        long seed = Long.parseLong(a.getOrDefault("seed", "0"));
        int evalWindows = Integer.parseInt(a.getOrDefault("eval-windows", "16"));
        String[] oracle = a.getOrDefault("oracle", "2x64").split("x");
        List<String> models = Arrays.asList(a.getOrDefault("models", "mini-vina,stories260K").split(","));
        EnumSet<GroupKind> kinds = EnumSet.of(GroupKind.KV_GROUP, GroupKind.MLP_CHANNEL, GroupKind.ATTENTION_BLOCK,
                GroupKind.MLP_BLOCK, GroupKind.LAYER);
        ScoringOptions so = ScoringOptions.defaults().withKinds(kinds).withStats(new StatsOptions(8, false))
                .withOracle(Integer.parseInt(oracle[0]), Integer.parseInt(oracle[1])).withEvaluate(true);
        SweepSpec spec = new SweepSpec(List.of(ScorerName.values()), RATIOS, Budget.Scope.LAYERS, so,
                PlanOptions.defaults(), true, 4);
        CalibrationOptions co = new CalibrationOptions(samples, seqLen, seed, 1);
        List<SweepResult> results = new ArrayList<>();
        long t0 = System.nanoTime();
        for (String m : models) {
            results.add(switch (m) {
                case "mini-vina" -> miniVina(shared, co, evalWindows, spec);
                case "stories260K" -> stories(root, co, evalWindows, spec);
                default -> throw new IllegalArgumentException("unknown model " + m + "; use mini-vina, stories260K");
            });
        }
        write(out, results, a, (System.nanoTime() - t0) / 1e9);
    }

    private static SweepResult miniVina(Path shared, CalibrationOptions co, int evalWindows, SweepSpec spec) {
        Path dir = shared.resolve("models/mini-vina");
        Model m = ModelLoader.load(dir, null);
        List<Path> train = List.of(shared.resolve("data/vi/train/wiki.txt"), shared.resolve("data/vi/train/legal.txt"));
        List<Path> valid = List.of(shared.resolve("data/vi/valid/wiki.txt"), shared.resolve("data/vi/valid/legal.txt"));
        CalibrationSet calib = CalibrationSet.from(train, m.tokenizer(), co);
        int[][] eval = Sweep.spreadWindows(CorpusReader.read(valid, m.tokenizer()).ids(), EVAL_CTX, evalWindows);
        return Sweep.run(m, "mini-vina", calib, eval, EVAL_CTX, spec, PruneTableMain::log);
    }

    private static SweepResult stories(Path root, CalibrationOptions co, int evalWindows, SweepSpec spec) {
        Model m = ModelLoader.load(root.resolve("models/stories260K.gguf"), null);
        int calibTokens = 6000;
        int evalTokens = evalWindows * EVAL_CTX + 1;
        int[] text = SelfGeneratedText.stream(m, calibTokens + evalTokens, 256, 1000 + co.seed());
        log("stories260K: sampled " + text.length + " tokens of its own text");
        CalibrationSet calib = CalibrationSet.fromStream(Arrays.copyOf(text, calibTokens + co.windowTokens()),
                "stories260K self-generated text", co);
        int[][] eval = Sweep.spreadWindows(Arrays.copyOfRange(text, calibTokens + co.windowTokens(), text.length),
                EVAL_CTX, evalWindows);
        return Sweep.run(m, "stories260K", calib, eval, EVAL_CTX, spec, PruneTableMain::log);
    }

    private static void write(Path out, List<SweepResult> results, Map<String, String> args, double seconds)
            throws IOException {
        Files.createDirectories(out);
        JsonObject o = new JsonObject();
        JsonObject opts = new JsonObject();
        args.forEach(opts::addProperty);
        o.add("options", opts);
        o.addProperty("seconds", seconds);
        JsonArray models = new JsonArray();
        StringBuilder md = new StringBuilder("# Held-out perplexity after pruning (no recovery)\n\n");
        for (SweepResult r : results) {
            models.add(r.toJson());
            md.append(r.toMarkdown()).append('\n');
        }
        o.add("models", models);
        md.append(String.format("Total time %.0f s.%n", seconds));
        Json.write(out.resolve("prune-table.json"), o);
        AtomicFiles.writeString(out.resolve("prune-table.md"), md.toString());
        log("wrote " + out.resolve("prune-table.md") + " and prune-table.json");
        System.out.println(md);
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --key value pairs, got '" + args[i] + "'");
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }

    private static String require(Map<String, String> a, String key) {
        String v = a.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }

    private static void log(String s) {
        System.err.println(s);
    }
}
