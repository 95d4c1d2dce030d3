package prunekit.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import prunekit.core.io.LazyModel;
import prunekit.core.io.ModelLoader;
import prunekit.prune.budget.Budget;

/**
 * A {@link Budget.MaxQualityLoss} met by bisection over the keep ratio: the dense model's held-out
 * perplexity first, then each probe plans, cuts and evaluates (streamed layer by layer where eval
 * streams, see {@link EvalStage}) at the middle of the interval between the largest ratio known to
 * lose too much (0 at the start) and the smallest known to be within budget (1), for the budget's
 * number of probes. Perplexity is assumed to rise as the ratio falls; the answer is the smallest
 * accepted probe, or the identity plan (ratio 1) when none was accepted. Scores are computed once,
 * by the first probe, and read back by the others. Probes live in OUT/probes/NN-rR; the chosen
 * one's files move to OUT, and each pruned checkpoint not (or no longer) the best is deleted at once.
 */
public final class QualitySearch {
    static final String PROBES = "probes";

    private QualitySearch() {
    }

    /** One probe: its keep ratio, parameter count, perplexity and loss over dense (0.1 = 10 %). */
    public record Probe(double keepRatio, long params, double perplexity, double loss, boolean accepted) {
    }

    /** The dense perplexity, every probe in order, and the one chosen. */
    public record Outcome(double densePerplexity, List<Probe> probes, Probe chosen) {
    }

    static PruneStage.Result run(LazyModel m, PruneStage.Options o, Budget.MaxQualityLoss q, Consumer<String> log) {
        EvalStage.Options eval = new EvalStage.Options(q.valid(), null, 8);
        double dense = EvalStage.run(m, eval, ProgressBars.NONE).perplexity().perplexity();
        log.accept(String.format(Locale.ROOT, "quality search: dense perplexity %.3f, budget %.4g%% (<= %.3f)", dense,
                100 * q.maxLoss(), dense * (1 + q.maxLoss())));
        Path probes = o.out().resolve(PROBES);
        List<Probe> done = new ArrayList<>();
        double lo = 0;
        double hi = 1;
        PruneStage.Options scoring = o;
        Path computedScores = null;
        PruneStage.Result best = null;
        // after the budget's probes without an accepted one, one more at ratio 1: the identity plan, the dense quality
        for (int k = 0; k < q.maxProbes() || (best == null && k == q.maxProbes()); k++) {
            double ratio = k < q.maxProbes() ? (lo + hi) / 2 : 1.0;
            int n = k + 1;
            Path dir = probes.resolve(String.format(Locale.ROOT, "%02d-r%.6f", n, ratio));
            PruneStage.Result r = PruneStage.runFixed(m, scoring.with(q.probe(ratio), dir), msg -> log.accept("probe "
                    + n + ": " + msg));
            if (o.scoresFile() == null && computedScores == null) {
                computedScores = dir.resolve(PruneStage.SCORES);
                scoring = scoring.withScores(computedScores, r.scorer());
            }
            double ppl;
            try (LazyModel pruned = ModelLoader.open(r.pruned(), null)) {
                ppl = EvalStage.run(pruned, eval, ProgressBars.NONE).perplexity().perplexity();
            }
            Probe p = new Probe(ratio, r.paramsAfter(), ppl, ppl / dense - 1, q.accepts(ppl, dense));
            done.add(p);
            log.accept(String.format(Locale.ROOT, "probe %d: keep %.6f -> %,d parameters, perplexity %.3f (%+.2f%%): %s",
                    n, ratio, p.params(), ppl, 100 * p.loss(), p.accepted() ? "within budget" : "too much loss"));
            if (p.accepted()) {
                hi = ratio;
                if (best != null) {
                    delete(best.pruned());
                }
                best = r;
            } else {
                lo = ratio;
                delete(r.pruned());
            }
        }
        if (best == null) {
            throw new IllegalStateException("the identity plan lost quality (" + done.get(done.size() - 1) + "): the"
                    + " pruned checkpoint at ratio 1 should reproduce the dense model; report this as a bug");
        }
        Probe chosen = done.stream().filter(Probe::accepted).min(Comparator.comparingDouble(Probe::keepRatio)).orElseThrow();
        return adopt(best, computedScores, o, q, new Outcome(dense, List.copyOf(done), chosen));
    }

    /** Moves the chosen probe's plan, checkpoint (and the scores, when computed here) into OUT. */
    private static PruneStage.Result adopt(PruneStage.Result best, Path computedScores, PruneStage.Options o,
                                           Budget.MaxQualityLoss q, Outcome outcome) {
        try {
            Path plan = move(best.plan(), o.out().resolve(PruneStage.PLAN));
            Path pruned = move(best.pruned(), o.out().resolve(PruneStage.PRUNED));
            if (computedScores != null) {
                move(computedScores, o.out().resolve(PruneStage.SCORES));
            }
            return new PruneStage.Result(plan, pruned, best.scorer(), q, best.paramsBefore(), best.paramsAfter(),
                    best.layerParamsBefore(), best.layerParamsAfter(), best.uniform(), outcome);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move the chosen probe into " + o.out() + ": " + e.getMessage(), e);
        }
    }

    private static Path move(Path from, Path to) throws IOException {
        if (Files.exists(to)) {
            RunDirectory.deleteContents(to);
            Files.deleteIfExists(to);
        }
        return Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void delete(Path dir) {
        try {
            if (Files.exists(dir)) {
                RunDirectory.deleteContents(dir);
                Files.delete(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the probe checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }
}
