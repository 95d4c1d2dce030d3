package prunekit.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.calibrate.ActivationStats;
import prunekit.calibrate.CalibrationOptions;
import prunekit.calibrate.CalibrationSet;
import prunekit.calibrate.StatsCollector;
import prunekit.calibrate.StatsOptions;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.model.Model;
import prunekit.prune.budget.AttentionUnit;
import prunekit.prune.budget.Budget;
import prunekit.prune.budget.PlanOptions;
import prunekit.prune.budget.Planner;
import prunekit.prune.plan.PlanJson;
import prunekit.prune.plan.PruningPlan;
import prunekit.prune.recon.Recon;
import prunekit.prune.recon.ReconOptions;
import prunekit.prune.recon.SearchOptions;
import prunekit.prune.recon.SequentialPruner;
import prunekit.prune.score.ImportanceScores;
import prunekit.prune.score.ScorerName;
import prunekit.prune.score.Scoring;
import prunekit.prune.score.ScoresJson;
import prunekit.prune.surgery.Surgery;
import prunekit.prune.surgery.SurgeryOptions;

/**
 * {@code prunekit prune MODEL (--scores FILE | --scorer NAME --calib FILE... | --calib FILE...) BUDGET --out DIR}:
 * plan.json and the pruned HF checkpoint in DIR/pruned. Without --scorer and --scores the default
 * recipe runs: sequential layer-wise reconstruction ({@link Recon}).
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Cut a model down to a budget: scores (from --scores or computed here) + budget -> DIR/plan.json,"
                + " then surgery -> DIR/pruned (HF checkpoint; per-layer shapes in config.json when adaptive)."
                + " Without --scorer/--scores: the default recipe, sequential layer-wise reconstruction (group OBS"
                + " + least-squares refit of o_proj/down_proj; 256 x 256 calibration tokens unless --samples/--seq-len).",
        footer = {"", "Examples:",
            "  prunekit prune ../shared/models/mini-vina --calib ../shared/data/vi/train/wiki.txt ../shared/data/vi/train/legal.txt \\",
            "      --keep-ratio 0.386 --scope layers --out run/recon-0.386",
            "  prunekit prune ../shared/models/mini-vina --scorer wanda --calib ../shared/data/vi/train/wiki.txt \\",
            "      --keep-ratio 0.7 --scope layers --uniform --out run/wanda-0.7",
            "  prunekit prune MODEL --scores run/scores.json --scorer taylor --target-params 2.7B --align 64 --out run/2.7b",
            "  prunekit prune MODEL --scorer taylor --calib c.txt --target-arch hidden=2560,heads=20,kv-heads=20,ffn=6912,layers=32 --out run/sheared"})
public final class PruneCommand implements Callable<Integer> {
    @Mixin ModelArg modelArg;
    @Mixin CalibrationArgs calib;
    @Mixin JsonOutput json;
    @Spec CommandSpec spec;

    @Option(names = "--scores", paramLabel = "FILE", description = "scores.json from `prunekit score` (else score here with --calib)")
    Path scoresFile;

    @Option(names = "--scorer", paramLabel = "NAME", description = "the scorer whose scores decide (needed when --scores"
            + " holds several); without --scorer and --scores the default recipe (layer-wise reconstruction) runs")
    String scorer;

    @ArgGroup(exclusive = true, multiplicity = "1")
    BudgetArgs budget;

    /** Exactly one form of budget. */
    static final class BudgetArgs {
        @Option(names = "--keep-ratio", paramLabel = "R", description = "keep R in (0, 1] of the parameters (see --scope)")
        Double keepRatio;

        @Option(names = "--target-params", paramLabel = "N", description = "at most N parameters: 2.7B, 500M, 6.8M or a plain number")
        String targetParams;

        @Option(names = "--target-arch", paramLabel = "SPEC", description = "exact shape: hidden=H,heads=A,kv-heads=K,ffn=F,layers=L")
        String targetArch;
    }

    @Option(names = "--scope", defaultValue = "all", paramLabel = "all|layers",
            description = "what --keep-ratio counts: all parameters or the transformer layers' only (default ${DEFAULT-VALUE})")
    String scope;

    @Option(names = "--uniform", description = "the same shape in every layer (default: adaptive per layer)")
    boolean uniform;

    @Option(names = "--align", defaultValue = "1", paramLabel = "N", description = "FFN widths rounded down to multiples of N")
    int align;

    @Option(names = "--attention-unit", defaultValue = "kv-groups", paramLabel = "UNIT",
            description = "cut attention in whole KV groups (kv-groups) or equally from every group (query-heads)")
    String attentionUnit;

    @Option(names = "--depth", description = "remove whole blocks (adaptive) or layers (uniform) instead of heads and channels")
    boolean depth;

    @Option(names = "--bias-compensation", description = "FLAP: the removed channels' mean output becomes an o_proj/down_proj bias")
    boolean biasCompensation;

    @Option(names = "--search-budget", paramLabel = "GENERATIONS",
            description = "default recipe: generations of the allocation search (0: the same shape in every layer;"
                    + " default: the recipe's)")
    Integer searchBudget;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory (plan.json, pruned/)")
    Path out;

    @Override
    public Integer call() {
        Model m = modelArg.load();
        Budget b = budget();
        if (scoresFile == null && scorer == null) {
            return reconstruct(m, b);
        }
        PlanOptions o = PlanOptions.defaults().withUniform(uniform).withAlign(align).withAttention(unit())
                .withDepth(depth ? Boolean.TRUE : null).withBiasCompensation(biasCompensation);
        ActivationStats stats = null;
        ImportanceScores scores;
        ScorerName name;
        if (scoresFile != null) {
            scores = ScoresJson.read(scoresFile);
            name = pick(scores);
            if (biasCompensation) {
                stats = StatsCollector.collect(m.weights(), calib.load(m, "--bias-compensation"), StatsOptions.activations(), null);
            }
        } else {
            if (scorer == null) {
                throw new IllegalArgumentException("give --scores FILE, or --scorer NAME with --calib FILE... to score here");
            }
            name = ScorerName.parse(scorer);
            CalibrationSet set = calib.load(m, "scoring");
            Scoring.Result r = Scoring.runWithStats(m, set, List.of(name),
                    ScoreCommand.options(null, "2x64").withKinds(Planner.kindsNeeded(m.config(), b, o)),
                    msg -> System.err.println("prune: " + msg));
            scores = r.scores();
            stats = r.stats();
            ScoresJson.write(scores, out.resolve("scores.json"));
        }
        PruningPlan plan = Planner.plan(m.config(), scores, name, b, o);
        PlanJson.write(plan, m.config(), out.resolve("plan.json"));
        Model pruned = Surgery.apply(m, plan, biasCompensation ? new SurgeryOptions(true, stats) : SurgeryOptions.plain());
        HfCheckpoint.write(pruned, out.resolve("pruned"), null);
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("plan", out.resolve("plan.json").toString());
        res.put("pruned", out.resolve("pruned").toString());
        res.put("scorer", name.id());
        res.put("budget", b.describe());
        res.put("params_before", m.config().parameterCount());
        res.put("params_after", pruned.weights().countParameters());
        res.put("layer_params_before", m.config().parameterCounts().get("layers"));
        res.put("layer_params_after", pruned.config().parameterCounts().get("layers"));
        res.put("uniform", pruned.config().isUniform());
        json.print(spec.commandLine().getOut(), res, () -> String.format("%s: %,d -> %,d parameters (%.1f%%), %s; wrote %s",
                b.describe(), m.config().parameterCount(), pruned.weights().countParameters(),
                100.0 * pruned.weights().countParameters() / m.config().parameterCount(),
                pruned.config().isUniform() ? "uniform" : "per-layer shapes", out));
        return 0;
    }

    /** The default recipe: sequential layer-wise reconstruction (no scorer), see {@link Recon}. */
    private Integer reconstruct(Model m, Budget b) {
        if (!calib.given()) {
            throw new IllegalArgumentException("the default recipe needs calibration text: pass --calib FILE..., or"
                    + " choose a scorer with --scorer NAME (or --scores FILE)");
        }
        if (!m.config().isUniform() || depth || biasCompensation || align != 1) {
            throw new IllegalArgumentException("--depth, --bias-compensation, --align and per-layer models go with a"
                    + " scorer: add --scorer NAME");
        }
        var parsed = spec.commandLine().getParseResult();
        int samples = parsed.hasMatchedOption("--samples") ? calib.samples : Recon.DEFAULT_SAMPLES;
        int seqLen = parsed.hasMatchedOption("--seq-len") ? calib.seqLen
                : Math.min(Recon.DEFAULT_SEQ_LEN, m.config().maxPositions());
        CalibrationSet set = CalibrationSet.from(calib.files, GenerateCommand.requireTokenizer(m),
                new CalibrationOptions(samples, seqLen, calib.seed, CalibrationOptions.DEFAULT_HELD_OUT));
        ReconOptions o = ReconOptions.defaults().withAttention(unit());
        SearchOptions so = searchBudget == null ? SearchOptions.defaults()
                : SearchOptions.defaults().withGenerations(searchBudget);
        if (uniform) {
            so = so.withGenerations(0);
        }
        SequentialPruner.Result r = Recon.prune(m, set, b, o, so, msg -> System.err.println("prune: " + msg));
        Model pruned = r.model();
        PlanJson.write(r.plan(), m.config(), out.resolve("plan.json"));
        HfCheckpoint.write(pruned, out.resolve("pruned"), null);
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("plan", out.resolve("plan.json").toString());
        res.put("pruned", out.resolve("pruned").toString());
        res.put("scorer", "recon");
        res.put("budget", b.describe());
        res.put("calibration_tokens", r.tokens());
        res.put("seconds", r.seconds());
        res.put("search_generations", so.generations());
        res.put("params_before", m.config().parameterCount());
        res.put("params_after", pruned.weights().countParameters());
        res.put("layer_params_before", m.config().parameterCounts().get("layers"));
        res.put("layer_params_after", pruned.config().parameterCounts().get("layers"));
        res.put("uniform", pruned.config().isUniform());
        json.print(spec.commandLine().getOut(), res, () -> String.format("%s: %,d -> %,d parameters (%.1f%%) by"
                + " layer-wise reconstruction on %,d calibration tokens in %.1f s; wrote %s", b.describe(),
                m.config().parameterCount(), pruned.weights().countParameters(),
                100.0 * pruned.weights().countParameters() / m.config().parameterCount(), r.tokens(), r.seconds(), out));
        return 0;
    }

    private Budget budget() {
        if (budget.keepRatio != null) {
            return new Budget.KeepRatio(budget.keepRatio, switch (scope.toLowerCase(java.util.Locale.ROOT)) {
                case "all" -> Budget.Scope.ALL;
                case "layers" -> Budget.Scope.LAYERS;
                default -> throw new IllegalArgumentException("--scope " + scope + ": use all or layers");
            });
        }
        if (budget.targetParams != null) {
            return new Budget.TargetParams(Budget.parseCount(budget.targetParams));
        }
        return Budget.TargetArch.parse(budget.targetArch);
    }

    private AttentionUnit unit() {
        return switch (attentionUnit.toLowerCase(java.util.Locale.ROOT)) {
            case "kv-groups", "kv_groups" -> AttentionUnit.KV_GROUPS;
            case "query-heads", "query_heads" -> AttentionUnit.QUERY_HEADS;
            default -> throw new IllegalArgumentException("--attention-unit " + attentionUnit + ": use kv-groups or query-heads");
        };
    }

    private ScorerName pick(ImportanceScores s) {
        if (scorer != null) {
            return ScorerName.parse(scorer);
        }
        List<ScorerName> names = s.scorers().stream().filter(n -> n != ScorerName.ORACLE).toList();
        if (names.size() != 1) {
            throw new IllegalArgumentException(scoresFile + " holds scores of " + s.scorers() + "; choose one with --scorer");
        }
        return names.get(0);
    }
}
