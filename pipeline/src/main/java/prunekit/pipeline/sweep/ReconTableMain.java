package prunekit.pipeline.sweep;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import prunekit.calibrate.CalibrationOptions;
import prunekit.calibrate.CalibrationSet;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.Perplexity;
import prunekit.core.eval.TokenStream;
import prunekit.core.io.ModelLoader;
import prunekit.core.model.Model;
import prunekit.prune.budget.AttentionUnit;
import prunekit.prune.budget.Budget;
import prunekit.prune.recon.Recon;
import prunekit.prune.recon.ReconOptions;
import prunekit.prune.recon.RefitTarget;
import prunekit.prune.recon.SearchOptions;
import prunekit.prune.recon.SequentialPruner;

/**
 * The measurements of bench/recon/run.sh: a model pruned by layer-wise reconstruction at keep
 * ratios of the layers' parameters, one line per run on stdout
 * ({@code model ratio recipe ppl seconds tokens layers-share}).
 *
 * <p>mini-vina: calibrated on ../shared/data/vi/train/{wiki,legal}.txt, valid perplexity under the
 * shared protocol on valid/{wiki,legal}.txt (every window; {@code --eval-windows N} takes N spread
 * windows instead, for quick comparisons). stories260K: calibrated and evaluated on disjoint parts
 * of text it samples itself, as in bench/prune-table.sh (6,000 calibration tokens, 16 spread
 * windows of 256).
 *
 * <p>Options ({@code --key value}): {@code --model mini-vina|stories260K}, {@code --root DIR} (.),
 * {@code --shared DIR} (ROOT/../shared), {@code --ratios 0.386,0.5,0.7}, {@code --samples 256} (the default recipe's),
 * {@code --seq-len 256}, {@code --seed 0}, {@code --eval-windows 0}, {@code --dense true} (print the
 * dense perplexity), and {@code --recipes "NAME=T:I:D:REFIT:SEQ:GEN;..."}: per recipe the refit target,
 * intercept, damping, refit, sequential, search generations and optionally the search's population
 * and windows (default: the default recipe).
 */
public final class ReconTableMain {
    private ReconTableMain() {
    }

    /** A model with its calibration windows and its held-out perplexity. */
    private record Setup(String name, Model model, CalibrationSet calibration, ToDoubleFunction<Model> perplexity) {
    }

    public static void main(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path root = Path.of(a.getOrDefault("root", "."));
        Path shared = Path.of(a.getOrDefault("shared", root.resolve("../shared").toString()));
        CalibrationOptions co = new CalibrationOptions(Integer.parseInt(a.getOrDefault("samples", String.valueOf(Recon.DEFAULT_SAMPLES))),
                Integer.parseInt(a.getOrDefault("seq-len", "256")), Long.parseLong(a.getOrDefault("seed", "0")),
                CalibrationOptions.DEFAULT_HELD_OUT); // as prunekit prune draws them
        int evalWindows = Integer.parseInt(a.getOrDefault("eval-windows", "0"));
        Setup s = a.getOrDefault("model", "mini-vina").equals("stories260K") ? stories(root, co)
                : miniVina(shared, co, evalWindows);
        if (Boolean.parseBoolean(a.getOrDefault("dense", "true"))) {
            System.out.printf(Locale.ROOT, "%s dense ppl %.3f%n", s.name(), s.perplexity().applyAsDouble(s.model()));
        }
        String recipes = a.getOrDefault("recipes", "default=dense_residual:false:0.01:true:true:"
                + SearchOptions.defaults().generations());
        for (String recipe : recipes.split(";")) {
            String[] kv = recipe.split("=");
            String[] v = kv[1].split(":");
            ReconOptions o = ReconOptions.defaults().withRefit(true).withTarget(RefitTarget.valueOf(v[0].toUpperCase(Locale.ROOT)))
                    .withIntercept(Boolean.parseBoolean(v[1])).withDamping(Double.parseDouble(v[2]))
                    .withRefit(Boolean.parseBoolean(v[3])).withSequential(Boolean.parseBoolean(v[4]))
                    .withAttention(AttentionUnit.valueOf(a.getOrDefault("attention", "kv_groups").toUpperCase(Locale.ROOT)));
            SearchOptions d = SearchOptions.defaults();
            SearchOptions so = new SearchOptions(Integer.parseInt(v[5]), v.length > 6 ? Integer.parseInt(v[6]) : d.population(),
                    d.seed(), d.ffnSteps(), v.length > 7 ? Integer.parseInt(v[7]) : d.searchWindows());
            for (String r : a.getOrDefault("ratios", "0.386,0.5,0.7").split(",")) {
                Budget.KeepRatio b = new Budget.KeepRatio(Double.parseDouble(r), Budget.Scope.LAYERS);
                long t0 = System.nanoTime();
                SequentialPruner.InMemory res = Recon.prune(s.model(), s.calibration(), b, o, so,
                        msg -> System.err.println(s.name() + " " + kv[0] + " " + r + ": " + msg));
                double secs = (System.nanoTime() - t0) / 1e9;
                double ppl = s.perplexity().applyAsDouble(res.model());
                System.out.printf(Locale.ROOT, "%s %s %s ppl %.3f %.1fs %d tokens layers %.4f %s%n", s.name(), r, kv[0],
                        ppl, secs, res.result().tokens(), (double) res.model().config().parameterCounts().get("layers")
                                / s.model().config().parameterCounts().get("layers"), shapes(res));
            }
        }
    }

    private static String shapes(SequentialPruner.InMemory r) {
        return Arrays.toString(r.model().config().layers().stream()
                .map(l -> l.queryHeads() + "h/" + l.ffn()).toArray());
    }

    private static Setup miniVina(Path shared, CalibrationOptions co, int evalWindows) {
        Model m = ModelLoader.load(shared.resolve("models/mini-vina"), null);
        List<Path> train = List.of(shared.resolve("data/vi/train/wiki.txt"), shared.resolve("data/vi/train/legal.txt"));
        List<Path> valid = List.of(shared.resolve("data/vi/valid/wiki.txt"), shared.resolve("data/vi/valid/legal.txt"));
        CalibrationSet calib = CalibrationSet.from(train, m.tokenizer(), co);
        TokenStream eval = TokenStream.of(valid, m.tokenizer());
        if (evalWindows > 0) {
            int[][] w = Sweep.spreadWindows(eval.ids(), 256, evalWindows);
            return new Setup("mini-vina", m, calib, x -> Sweep.perplexity(x, w, 256, 8));
        }
        return new Setup("mini-vina", m, calib, x -> {
            try (Transformer t = new Transformer(x.weights())) {
                return Perplexity.evaluate(t, eval, 256, 8, null).perplexity();
            }
        });
    }

    /** As bench/prune-table.sh calibrates and evaluates stories260K (see PruneTableMain). */
    private static Setup stories(Path root, CalibrationOptions co) {
        Model m = ModelLoader.load(root.resolve("models/stories260K.gguf"), null);
        int calibTokens = 6000;
        int evalTokens = 16 * 256 + 1;
        int[] text = SelfGeneratedText.stream(m, calibTokens + evalTokens, 256, 1000 + co.seed());
        CalibrationSet calib = CalibrationSet.fromStream(Arrays.copyOf(text, calibTokens + co.windowTokens()),
                "stories260K self-generated text", co);
        int[][] eval = Sweep.spreadWindows(Arrays.copyOfRange(text, calibTokens + co.windowTokens(), text.length), 256, 16);
        return new Setup("stories260K", m, calib, x -> Sweep.perplexity(x, eval, 256, 4));
    }
}
