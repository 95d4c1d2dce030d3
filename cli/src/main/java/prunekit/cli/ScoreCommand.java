package prunekit.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.core.io.LazyModel;
import prunekit.core.io.OutputGuard;
import prunekit.pipeline.PruneStage;
import prunekit.pipeline.ScoreStage;
import prunekit.prune.group.GroupKind;
import prunekit.prune.score.ImportanceScores;
import prunekit.prune.score.ScorerEvaluation;
import prunekit.prune.score.ScorerName;
import prunekit.prune.score.ScoringOptions;

/** {@code prunekit score MODEL --calib FILE... --scorer NAME... --out DIR}: importance scores to scores.json. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Score attention heads, KV groups, MLP channels, blocks and layers on calibration text and write"
                + " DIR/scores.json. Scorers: magnitude, wanda, taylor, fluctuation, activation, block-influence, oracle.",
        footer = {"", "Examples:",
            "  prunekit score ../shared/models/mini-vina --calib ../shared/data/vi/train/wiki.txt --scorer wanda taylor --out run",
            "  prunekit score models/stories260K.gguf --calib stories.txt --scorer magnitude wanda --evaluate --out run --json"})
public final class ScoreCommand implements Callable<Integer> {
    @Mixin ModelArg modelArg;
    @Mixin CalibrationArgs calib;
    @Mixin JsonOutput json;
    @Mixin ThreadsOption threads;
    @Spec CommandSpec spec;
    @Mixin OverwriteOption overwrite;

    @Option(names = "--scorer", required = true, arity = "1..*", paramLabel = "NAME", description = "scorers to run")
    List<ScorerName> scorers;

    @Option(names = "--kinds", arity = "1..*", paramLabel = "KIND",
            description = "group kinds to score: kv_group query_head mlp_channel hidden_channel attention_block mlp_block layer"
                    + " (default: all but hidden_channel)")
    List<GroupKind> kinds;

    @Option(names = "--evaluate", description = "also run the oracle and report each scorer's Spearman correlation with it")
    boolean evaluate;

    @Option(names = "--oracle-batch", defaultValue = "2x64", paramLabel = "BxT",
            description = "the oracle's fixed held-out batch: windows x tokens (default ${DEFAULT-VALUE})")
    String oracleBatch;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory (scores.json)")
    Path out;

    @Override
    public Integer call() {
        try (OutputGuard g = overwrite.entries(out, List.of(PruneStage.SCORES), OverwriteOption.all(List.of(modelArg.path()), calib.files))) {
            return g.commitIf(write());
        }
    }

    private Integer write() {
        ScoreStage.Result r;
        try (LazyModel m = modelArg.open()) {
            r = ScoreStage.run(m, new ScoreStage.Options(calib.calibration(), scorers,
                    options(kinds, oracleBatch).withEvaluate(evaluate), out), msg -> System.err.println("score: " + msg));
        }
        Path file = r.file();
        ImportanceScores s = r.scores();
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("scores", file.toString());
        res.put("scorers", s.scorers().stream().map(ScorerName::id).toList());
        res.put("calibration_loss", s.provenance().calibrationLoss());
        List<Map<String, Object>> ev = new ArrayList<>();
        for (ScorerEvaluation.Correlation c : s.evaluation()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("kind", c.kind().id());
            e.put("scorer", c.scorer().id());
            e.put("groups", c.groups());
            e.put("spearman", c.spearman());
            e.put("within_layer_spearman", c.withinLayer());
            ev.add(e);
        }
        res.put("evaluation", ev);
        json.print(spec.commandLine().getOut(), res, () -> human(file, s));
        return 0;
    }

    /** Scoring options from --kinds and --oracle-batch. */
    private static ScoringOptions options(List<GroupKind> kinds, String oracleBatch) {
        ScoringOptions o = ScoringOptions.defaults();
        if (kinds != null && !kinds.isEmpty()) {
            o = o.withKinds(EnumSet.copyOf(kinds));
        }
        int[] bt = oracleBatch(oracleBatch);
        return o.withOracle(bt[0], bt[1]);
    }

    /** "BxT" (windows x tokens) as {B, T}. */
    static int[] oracleBatch(String text) {
        String[] bt = text.toLowerCase(Locale.ROOT).split("x");
        try {
            if (bt.length == 2) {
                return new int[] {Integer.parseInt(bt[0].trim()), Integer.parseInt(bt[1].trim())};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--oracle-batch '" + text + "': write windows x tokens, e.g. 2x64");
    }

    private static String human(Path file, ImportanceScores s) {
        StringBuilder sb = new StringBuilder("wrote " + file + " (" + s.scorers() + ")");
        if (!s.evaluation().isEmpty()) {
            sb.append("\nSpearman correlation with the oracle (pooled over layers / mean within layers):");
            for (ScorerEvaluation.Correlation c : s.evaluation()) {
                sb.append(String.format(Locale.ROOT, "%n  %-16s %-16s %6.3f / %6.3f  (%d groups)", c.kind().id(),
                        c.scorer().id(), c.spearman(), c.withinLayer(), c.groups()));
            }
        }
        return sb.toString();
    }
}
