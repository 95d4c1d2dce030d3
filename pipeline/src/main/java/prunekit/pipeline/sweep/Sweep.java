package prunekit.pipeline.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import prunekit.calibrate.ActivationStats;
import prunekit.calibrate.CalibrationSet;
import prunekit.calibrate.WindowLoss;
import prunekit.core.engine.Transformer;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.prune.budget.Budget;
import prunekit.prune.budget.PlanOptions;
import prunekit.prune.budget.Planner;
import prunekit.prune.plan.PruningPlan;
import prunekit.prune.score.ImportanceScores;
import prunekit.prune.score.ScorerName;
import prunekit.prune.score.Scoring;
import prunekit.prune.surgery.Surgery;
import prunekit.prune.surgery.SurgeryOptions;

/**
 * Runs a {@link SweepSpec} on one model without recovery: one scoring pass for all scorers, then
 * for every scorer, allocation and keep ratio a plan, the surgery, and the held-out perplexity of
 * the pruned model over fixed windows. A scorer that scores only blocks (block influence) prunes
 * depth: whole layers when uniform, attention and MLP blocks when adaptive.
 */
public final class Sweep {
    private Sweep() {
    }

    public static SweepResult run(Model model, String name, CalibrationSet calibration, int[][] evalWindows,
                                  int evalLen, SweepSpec spec, Consumer<String> log) {
        LlamaConfig c = model.config();
        double dense = perplexity(model, evalWindows, evalLen, spec.evalBatch());
        log.accept(String.format("%s: dense held-out perplexity %.3f", name, dense));
        long t0 = System.nanoTime();
        Scoring.Result scored = Scoring.runWithStats(model, calibration, spec.scorers(), spec.scoring(), log);
        double scoringSeconds = (System.nanoTime() - t0) / 1e9;
        List<SweepResult.Row> rows = new ArrayList<>();
        for (ScorerName s : spec.scorers()) {
            for (boolean uniform : new boolean[] {true, false}) {
                for (double ratio : spec.keepRatios()) {
                    rows.add(one(model, scored.scores(), null, s, uniform, ratio, evalWindows, evalLen, spec, log));
                }
            }
        }
        if (spec.biasCompensation() && spec.scorers().contains(ScorerName.FLUCTUATION)) {
            for (boolean uniform : new boolean[] {true, false}) {
                for (double ratio : spec.keepRatios()) {
                    rows.add(one(model, scored.scores(), scored.stats(), ScorerName.FLUCTUATION, uniform, ratio,
                            evalWindows, evalLen, spec, log));
                }
            }
        }
        return new SweepResult(name, c.parameterCount(), c.parameterCounts().get("layers"), dense,
                evalWindows.length * evalLen, scoringSeconds, rows, scored.scores().evaluation());
    }

    private static SweepResult.Row one(Model model, ImportanceScores scores, ActivationStats biasStats, ScorerName s,
                                       boolean uniform, double ratio, int[][] eval, int evalLen, SweepSpec spec,
                                       Consumer<String> log) {
        String scorer = s.id() + (biasStats != null ? "+bias" : "");
        String allocation = uniform ? "uniform" : "adaptive";
        long t0 = System.nanoTime();
        try {
            PlanOptions o = spec.plan().withUniform(uniform).withBiasCompensation(biasStats != null);
            PruningPlan plan = Planner.plan(model.config(), scores, s, new Budget.KeepRatio(ratio, spec.scope()), o);
            SurgeryOptions so = biasStats != null ? new SurgeryOptions(true, biasStats) : SurgeryOptions.plain();
            Model pruned = Surgery.apply(model, plan, so);
            long tensors = pruned.weights().countParameters();
            if (tensors != pruned.config().parameterCount()) {
                throw new IllegalStateException("pruned model has " + tensors + " parameters in its tensors but its"
                        + " config counts " + pruned.config().parameterCount());
            }
            double ppl = perplexity(pruned, eval, evalLen, spec.evalBatch());
            double secs = (System.nanoTime() - t0) / 1e9;
            log.accept(String.format("%s %s keep %.3f: %,d params, ppl %.3f (%.1fs)", scorer, allocation, ratio, tensors,
                    ppl, secs));
            return new SweepResult.Row(scorer, allocation, ratio, pruned.config().parameterCount(),
                    pruned.config().parameterCounts().get("layers"), tensors, ppl, secs, null);
        } catch (IllegalArgumentException e) {
            log.accept(scorer + " " + allocation + " keep " + ratio + ": " + e.getMessage());
            return new SweepResult.Row(scorer, allocation, ratio, 0, 0, 0, Double.NaN, 0, e.getMessage());
        }
    }

    /** exp(mean NLL) over the windows. */
    public static double perplexity(Model m, int[][] windows, int len, int batch) {
        try (Transformer t = new Transformer(m.weights())) {
            return Math.exp(WindowLoss.meanNll(t, windows, len, batch));
        }
    }

    /** {@code n} protocol windows (ctx+1 tokens at i·ctx) spread evenly over {@code stream}. */
    public static int[][] spreadWindows(int[] stream, int ctx, int n) {
        int total = (stream.length - 1) / ctx;
        if (total < 1) {
            throw new IllegalArgumentException("the evaluation text gives " + stream.length + " tokens, fewer than one"
                    + " window of " + (ctx + 1));
        }
        int k = Math.min(n, total);
        int[][] out = new int[k][];
        for (int j = 0; j < k; j++) {
            int i = (int) ((long) j * total / k);
            out[j] = java.util.Arrays.copyOfRange(stream, i * ctx, i * ctx + ctx + 1);
        }
        return out;
    }
}
