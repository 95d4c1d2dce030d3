package prunekit.prune.recon;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import prunekit.calibrate.CalibrationOptions;
import prunekit.calibrate.CalibrationSet;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.Perplexity;
import prunekit.core.eval.TokenStream;
import prunekit.core.io.ModelLoader;
import prunekit.core.model.Model;
import prunekit.prune.budget.AttentionUnit;
import prunekit.prune.budget.Budget;

/**
 * The measurements of bench/recon/run.sh: mini-vina pruned by layer-wise reconstruction at the
 * given keep ratios of the layers' parameters, valid perplexity under the shared protocol
 * (../shared/README.md) on ../shared/data/vi/valid/{wiki,legal}.txt. One line per run on stdout:
 * {@code ratio recipe ppl seconds tokens}.
 *
 * <p>Options ({@code --key value}): {@code --shared DIR} (../shared), {@code --ratios 0.386,0.5,0.7},
 * {@code --samples 64}, {@code --seq-len 256}, {@code --seed 0}, {@code --target self|dense|dense_residual},
 * {@code --intercept false}, {@code --damping 0.01}, {@code --refit true}, {@code --sequential true},
 * {@code --attention kv_groups|query_heads}.
 */
public final class ReconTableMain {
    private ReconTableMain() {
    }

    public static void main(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path shared = Path.of(a.getOrDefault("shared", "../shared"));
        Model m = ModelLoader.load(shared.resolve("models/mini-vina"), null);
        List<Path> train = List.of(shared.resolve("data/vi/train/wiki.txt"), shared.resolve("data/vi/train/legal.txt"));
        List<Path> valid = List.of(shared.resolve("data/vi/valid/wiki.txt"), shared.resolve("data/vi/valid/legal.txt"));
        int seqLen = Integer.parseInt(a.getOrDefault("seq-len", "256"));
        CalibrationSet calib = CalibrationSet.from(train, m.tokenizer(), new CalibrationOptions(
                Integer.parseInt(a.getOrDefault("samples", "64")), seqLen, Long.parseLong(a.getOrDefault("seed", "0")), 8));
        SearchOptions so = SearchOptions.defaults().withGenerations(Integer.parseInt(a.getOrDefault("search", "0")));
        TokenStream eval = TokenStream.of(valid, m.tokenizer());
        ReconOptions o = ReconOptions.defaults()
                .withTarget(RefitTarget.valueOf(a.getOrDefault("target", "dense").toUpperCase()))
                .withDamping(Double.parseDouble(a.getOrDefault("damping", "0.01")))
                .withAttention(AttentionUnit.valueOf(a.getOrDefault("attention", "kv_groups").toUpperCase()))
                .withSequential(Boolean.parseBoolean(a.getOrDefault("sequential", "true")))
                .withRefit(Boolean.parseBoolean(a.getOrDefault("refit", "true")))
                .withIntercept(Boolean.parseBoolean(a.getOrDefault("intercept", "false")));
        if (a.containsKey("dense")) {
            System.out.printf("dense ppl %.3f%n", perplexity(m, eval));
        }
        if (a.containsKey("dense-quick")) {
            System.out.printf("dense quick ppl %.3f%n", prunekit.prune.sweep.Sweep.perplexity(m,
                    prunekit.prune.sweep.Sweep.spreadWindows(eval.ids(), 256, Integer.parseInt(a.get("eval-windows"))), 256, 8));
        }
        int evalWindows = Integer.parseInt(a.getOrDefault("eval-windows", "0"));
        int[][] quick = evalWindows > 0 ? prunekit.prune.sweep.Sweep.spreadWindows(eval.ids(), 256, evalWindows) : null;
        for (String variant : a.getOrDefault("variants", "-").split(";")) {
            if (!variant.equals("-")) {
                String[] v = variant.split(":");
                o = o.withTarget(RefitTarget.valueOf(v[0].toUpperCase())).withIntercept(Boolean.parseBoolean(v[1]))
                        .withDamping(Double.parseDouble(v[2]));
            }
        for (String r : a.getOrDefault("ratios", "0.386,0.5,0.7").split(",")) {
            Budget.KeepRatio b = new Budget.KeepRatio(Double.parseDouble(r), Budget.Scope.LAYERS);
            long t0 = System.nanoTime();
            SequentialPruner.Result res = Recon.prune(m, calib, b, o, so, s -> System.err.println(s));
            double secs = (System.nanoTime() - t0) / 1e9;
            String alloc = res.plan().layers().toString();
            double ppl = quick != null ? prunekit.prune.sweep.Sweep.perplexity(res.model(), quick, 256, 8)
                    : perplexity(res.model(), eval);
            System.out.printf("%s %s %s ppl %.3f  %.1fs  %d tokens  layers %.4f%n", r, o, alloc, ppl, secs,
                    res.tokens(), (double) res.model().config().parameterCounts().get("layers")
                            / m.config().parameterCounts().get("layers"));
        }
        }
    }

    static double perplexity(Model m, TokenStream s) {
        try (Transformer t = new Transformer(m.weights())) {
            return Perplexity.evaluate(t, s, 256, 8, null).perplexity();
        }
    }
}
