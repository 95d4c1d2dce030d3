package prunekit.pipeline.sweep;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
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
 * The measurements of bench/recon/run.sh (a benchmark, so it lives with the tests, not in the
 * library): a model pruned by layer-wise reconstruction at keep ratios of the layers' parameters,
 * one line per run on stdout ({@code model ratio recipe ppl seconds tokens layers-share}).
 *
 * <p>mini-vina: calibrated on ../shared/data/vi/train/{wiki,legal}.txt, valid perplexity under the
 * shared protocol on valid/{wiki,legal}.txt (every window; {@code --eval-windows N} takes N spread
 * windows instead, for quick comparisons). stories260K: calibrated and evaluated on disjoint parts
 * of text it samples itself, as in bench/prune-table.sh (6,000 calibration tokens, 16 spread
 * windows of 256). An option given twice takes its last value (run.sh appends the caller's options).
 */
@Command(name = "recon-table", mixinStandardHelpOptions = true, description = "bench/recon/run.sh's measurements")
public final class ReconTableBenchmark implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "mini-vina", description = "mini-vina or stories260K") String model;
    @Option(names = "--root", defaultValue = ".", description = "the prunekit checkout") Path root;
    @Option(names = "--shared", description = "the shared models and data (default ROOT/../shared)") Path shared;
    @Option(names = "--ratios", split = ",", defaultValue = "0.386,0.5,0.7") List<String> ratios;
    @Option(names = "--samples", description = "calibration windows (default: the default recipe's)") Integer samples;
    @Option(names = "--seq-len", defaultValue = "256") int seqLen;
    @Option(names = "--seed", defaultValue = "0") long seed;
    @Option(names = "--eval-windows", defaultValue = "0", description = "0: every window") int evalWindows;
    @Option(names = "--dense", defaultValue = "true", arity = "1", description = "print the dense perplexity") boolean dense;
    @Option(names = "--attention", defaultValue = "kv_groups") AttentionUnit attention;
    @Option(names = "--recipes", description = "NAME=T:I:D:REFIT:SEQ:GEN[:POP[:WINDOWS]];... per recipe the refit target,"
            + " intercept, damping, refit, sequential, search generations, population and windows (default: the default recipe)")
    String recipes;

    /** A model with its calibration windows and its held-out perplexity. */
    private record Setup(String name, Model model, CalibrationSet calibration, ToDoubleFunction<Model> perplexity) {
    }

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new ReconTableBenchmark()).setOverwrittenOptionsAllowed(true)
                .setCaseInsensitiveEnumValuesAllowed(true);
        int rc = cl.execute(args);
        if (rc != 0) {
            System.exit(rc);
        }
    }

    @Override
    public Integer call() {
        if (!model.equals("mini-vina") && !model.equals("stories260K")) {
            throw new IllegalArgumentException("--model is mini-vina or stories260K, not " + model);
        }
        CalibrationOptions co = new CalibrationOptions(samples == null ? Recon.DEFAULT_SAMPLES : samples, seqLen, seed,
                CalibrationOptions.DEFAULT_HELD_OUT); // as prunekit prune draws them
        Setup s = model.equals("stories260K") ? stories(root, co)
                : miniVina(shared == null ? root.resolve("../shared") : shared, co, evalWindows);
        if (dense) {
            System.out.printf(Locale.ROOT, "%s dense ppl %.3f%n", s.name(), s.perplexity().applyAsDouble(s.model()));
        }
        String all = recipes != null ? recipes
                : "default=dense_residual:false:0.01:true:true:" + SearchOptions.defaults().generations();
        for (String recipe : all.split(";")) {
            String[] kv = recipe.split("=");
            String[] v = kv[1].split(":");
            ReconOptions o = ReconOptions.defaults().withRefit(true).withTarget(RefitTarget.valueOf(v[0].toUpperCase(Locale.ROOT)))
                    .withIntercept(Boolean.parseBoolean(v[1])).withDamping(Double.parseDouble(v[2]))
                    .withRefit(Boolean.parseBoolean(v[3])).withSequential(Boolean.parseBoolean(v[4])).withAttention(attention);
            SearchOptions d = SearchOptions.defaults();
            SearchOptions so = new SearchOptions(Integer.parseInt(v[5]), v.length > 6 ? Integer.parseInt(v[6]) : d.population(),
                    d.seed(), d.ffnSteps(), v.length > 7 ? Integer.parseInt(v[7]) : d.searchWindows());
            for (String r : ratios) {
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
        return 0;
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
