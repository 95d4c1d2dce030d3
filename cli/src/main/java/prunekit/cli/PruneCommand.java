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
import prunekit.core.io.HfCheckpoint;
import prunekit.core.io.LazyModel;
import prunekit.core.io.OutputGuard;
import prunekit.core.io.SafetensorsWriter;
import prunekit.core.model.DType;
import prunekit.pipeline.PruneStage;
import prunekit.prune.budget.AttentionUnit;
import prunekit.prune.budget.Budget;
import prunekit.prune.budget.PlanOptions;
import prunekit.prune.recon.ReconOptions;
import prunekit.pipeline.ReconStage;
import prunekit.prune.score.ScorerName;

/**
 * {@code prunekit prune MODEL (--scores FILE | --scorer NAME --calib FILE... | --calib FILE...) BUDGET --out DIR}:
 * plan.json and the pruned HF checkpoint in DIR/pruned. Without --scorer and --scores the default
 * recipe runs: sequential layer-wise reconstruction ({@link ReconStage}).
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
            "  prunekit prune MODEL --scorer wanda --calib c.txt --max-quality-loss 10%% --valid v.txt --scope layers --out run/q10",
            "  prunekit prune MODEL --scorer taylor --calib c.txt --target-arch hidden=2560,heads=20,kv-heads=20,ffn=6912,layers=32 --out run/sheared"})
public final class PruneCommand implements Callable<Integer> {
    @Mixin ModelArg modelArg;
    @Mixin CalibrationArgs calib;
    @Mixin JsonOutput json;
    @Mixin ThreadsOption threads;
    @Spec CommandSpec spec;
    @Mixin OverwriteOption overwrite;

    @Option(names = "--scores", paramLabel = "FILE", description = "scores.json from `prunekit score` (else score here with --calib)")
    Path scoresFile;

    @Option(names = "--scorer", paramLabel = "NAME", description = "the scorer whose scores decide (needed when --scores"
            + " holds several); without --scorer and --scores the default recipe (layer-wise reconstruction) runs")
    ScorerName scorer;

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

        @Option(names = "--max-quality-loss", paramLabel = "PCT", description = "the smallest plan whose held-out perplexity"
                + " (--valid) is at most PCT above the dense model's (10%% or 0.1): a bisection over the keep ratio of"
                + " --scope, each probe planned, cut and evaluated (--max-probes)")
        String maxQualityLoss;
    }

    @Option(names = "--valid", arity = "1..*", paramLabel = "FILE", description = "held-out text for --max-quality-loss")
    java.util.List<Path> valid;

    @Option(names = "--max-probes", defaultValue = "" + Budget.MaxQualityLoss.DEFAULT_PROBES, paramLabel = "N",
            description = "--max-quality-loss: probes of the bisection (default ${DEFAULT-VALUE}: the ratio to 1/64)")
    int maxProbes;

    @Option(names = "--scope", defaultValue = "all", paramLabel = "all|layers",
            description = "what --keep-ratio counts: all parameters or the transformer layers' only (default ${DEFAULT-VALUE})")
    Budget.Scope scope;

    @Option(names = "--uniform", description = "the same shape in every layer (default: adaptive per layer)")
    boolean uniform;

    @Option(names = "--align", defaultValue = "1", paramLabel = "N", description = "FFN widths rounded down to multiples of N")
    int align;

    @Option(names = "--attention-unit", defaultValue = "kv-groups", paramLabel = "UNIT",
            description = "cut attention in whole KV groups (kv-groups) or equally from every group (query-heads)")
    AttentionUnit attentionUnit;

    @Option(names = "--depth", description = "remove whole blocks (adaptive) or layers (uniform) instead of heads and channels")
    boolean depth;

    @Option(names = "--bias-compensation", description = "FLAP: the removed channels' mean output becomes an o_proj/down_proj bias")
    boolean biasCompensation;

    @Option(names = "--matmul", defaultValue = "auto", paramLabel = "PRECISION",
            description = "default recipe: precision of the calibration forwards and the selection's Gram matrices:"
                    + " fp32, bf16 (inputs rounded, fp32 accumulation; needs AMX or AVX512-BF16 and cuda-kernels/build)"
                    + " or auto (bf16 at 7B-class widths, hidden >= 2048, where it can run; fp32 below and elsewhere)."
                    + " The refit is fp64 either way (default ${DEFAULT-VALUE})")
    ReconOptions.Matmul matmul;

    @Option(names = "--search-budget", paramLabel = "GENERATIONS",
            description = "default recipe: generations of the allocation search (0: the same shape in every layer;"
                    + " default: the recipe's)")
    Integer searchBudget;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory (plan.json, pruned/)")
    Path out;

    @Option(names = "--dtype", paramLabel = "DTYPE", description = "dtype of the pruned weights: F32, F16 or BF16 (default: the input's)")
    DType dtype;

    @Option(names = "--max-shard-bytes", defaultValue = "" + SafetensorsWriter.DEFAULT_MAX_SHARD_BYTES, paramLabel = "BYTES",
            description = "largest safetensors shard of the pruned model (default 2e9); smaller models are one model.safetensors")
    long maxShardBytes;

    @Override
    public Integer call() {
        try (OutputGuard g = overwrite.entries(out, entries(), OverwriteOption.all(List.of(modelArg.path()), calib.files, java.util.Arrays.asList(scoresFile)))) {
            return g.commitIf(write());
        }
    }

    private Integer write() {
        if (scoresFile == null && scorer == null) {
            return reconstruct();
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--matmul")) {
            throw new IllegalArgumentException("--matmul goes with the default recipe: drop --scorer/--scores, or --matmul");
        }
        PlanOptions plan = PlanOptions.defaults().withUniform(uniform).withAlign(align).withAttention(attentionUnit)
                .withDepth(depth ? Boolean.TRUE : null).withBiasCompensation(biasCompensation);
        PruneStage.Result r;
        try (LazyModel m = modelArg.open()) {
            r = PruneStage.run(m, new PruneStage.Options(scoresFile, scorer, calib.calibration(), budget(), plan, out,
                            HfCheckpoint.WriteOptions.defaults().withDtype(dtype).withMaxShardBytes(maxShardBytes),
                            "prunekit " + String.join(" ", spec.commandLine().getParseResult().originalArgs())),
                    msg -> System.err.println("prune: " + msg));
        }
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("plan", r.plan().toString());
        res.put("pruned", r.pruned().toString());
        res.put("scorer", r.scorer().id());
        res.put("budget", r.budget().describe());
        res.put("params_before", r.paramsBefore());
        res.put("params_after", r.paramsAfter());
        res.put("layer_params_before", r.layerParamsBefore());
        res.put("layer_params_after", r.layerParamsAfter());
        res.put("uniform", r.uniform());
        if (r.search() != null) {
            res.put("quality_search", r.search());
        }
        json.print(spec.commandLine().getOut(), res, () -> String.format("%s: %,d -> %,d parameters (%.1f%%), %s; wrote %s",
                r.budget().describe(), r.paramsBefore(), r.paramsAfter(), 100.0 * r.paramsAfter() / r.paramsBefore(),
                r.uniform() ? "uniform" : "per-layer shapes", out));
        return 0;
    }

    /** The default recipe: sequential layer-wise reconstruction (no scorer), see {@link ReconStage}. */
    private Integer reconstruct() {
        if (depth || biasCompensation || align != 1) {
            throw new IllegalArgumentException("--depth, --bias-compensation and --align go with a scorer: add --scorer NAME");
        }
        var parsed = spec.commandLine().getParseResult();
        ReconStage.Options o = new ReconStage.Options(calib.calibration(),
                parsed.hasMatchedOption("--samples") ? calib.samples : null,
                parsed.hasMatchedOption("--seq-len") ? calib.seqLen : null, budget(), attentionUnit, matmul, searchBudget, uniform,
                out, HfCheckpoint.WriteOptions.defaults().withDtype(dtype).withMaxShardBytes(maxShardBytes),
                "prunekit " + String.join(" ", parsed.originalArgs()));
        ReconStage.Result r;
        try (LazyModel m = modelArg.open()) {
            r = ReconStage.run(m, o, msg -> System.err.println("prune: " + msg));
        }
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("plan", r.plan().toString());
        res.put("pruned", r.pruned().toString());
        res.put("scorer", "recon");
        res.put("budget", r.budget().describe());
        res.put("calibration_tokens", r.calibrationTokens());
        res.put("seconds", r.seconds());
        res.put("search_generations", r.generations());
        res.put("params_before", r.paramsBefore());
        res.put("params_after", r.paramsAfter());
        res.put("layer_params_before", r.layerParamsBefore());
        res.put("layer_params_after", r.layerParamsAfter());
        res.put("uniform", r.uniform());
        res.put("matmul", r.matmul());
        json.print(spec.commandLine().getOut(), res, () -> String.format("%s: %,d -> %,d parameters (%.1f%%) by"
                + " layer-wise reconstruction on %,d calibration tokens in %.1f s; wrote %s", r.budget().describe(),
                r.paramsBefore(), r.paramsAfter(), 100.0 * r.paramsAfter() / r.paramsBefore(), r.calibrationTokens(),
                r.seconds(), out));
        return 0;
    }

    /** What this run writes in DIR: the plan, the pruned model and, when it scores here, scores.json. */
    private List<String> entries() {
        return scoresFile == null && scorer != null ? List.of(PruneStage.PLAN, PruneStage.PRUNED, PruneStage.SCORES)
                : List.of(PruneStage.PLAN, PruneStage.PRUNED);
    }

    private Budget budget() {
        if (valid != null && budget.maxQualityLoss == null) {
            throw new IllegalArgumentException("--valid is the held-out text of --max-quality-loss; add that budget or drop --valid");
        }
        if (budget.maxQualityLoss != null) {
            return new Budget.MaxQualityLoss(Budget.MaxQualityLoss.parseLoss(budget.maxQualityLoss), scope, valid, maxProbes);
        }
        if (budget.keepRatio != null) {
            return new Budget.KeepRatio(budget.keepRatio, scope);
        }
        if (budget.targetParams != null) {
            return new Budget.TargetParams(Budget.parseCount(budget.targetParams));
        }
        return Budget.TargetArch.parse(budget.targetArch);
    }
}
