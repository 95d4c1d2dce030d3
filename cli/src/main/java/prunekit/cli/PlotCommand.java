package prunekit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.core.io.OutputGuard;
import prunekit.pipeline.PlotStage;
import prunekit.prune.score.ScorerName;

/** {@code prunekit plot (SCORES.json|DIR) --out DIR}: the pruning charts from scores.json, plan.json, prune-table.json. */
@Command(name = "plot", mixinStandardHelpOptions = true,
        description = "Draw the pruning charts (PNG + SVG) from a run directory or one of its files: head heat map and"
                + " MLP channel importance (scores.json), kept fraction per layer (plan.json), scorers vs oracle"
                + " (scores.json with oracle), perplexity vs keep ratio (prune-table.json).",
        footer = {"", "Examples:", "  prunekit plot run --out run/charts", "  prunekit plot run/scores.json --out charts --scorer taylor"})
public final class PlotCommand implements Callable<Integer> {
    @Mixin JsonOutput json;
    @Spec CommandSpec spec;
    @Mixin OverwriteOption overwrite;

    @Parameters(index = "0", paramLabel = "INPUT", description = "a run directory, scores.json, plan.json or prune-table.json")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where the charts go")
    Path out;

    @Option(names = "--scorer", paramLabel = "NAME", description = "scorer for the heat map and channel chart (default: the plan's, else the first)")
    ScorerName scorer;

    @Override
    public Integer call() throws IOException {
        try (OutputGuard g = overwrite.whole(out, inputs())) {
            return g.commitIf(write());
        }
    }

    /** The files plot reads: {@code input} itself, or a run directory's scores.json, plan.json and prune-table.json. */
    private Path[] inputs() {
        if (!Files.isDirectory(input)) {
            return new Path[] {input};
        }
        return Stream.of("scores.json", "plan.json", "prune-table.json").map(input::resolve).filter(Files::exists)
                .toArray(Path[]::new);
    }

    private Integer write() throws IOException {
        List<String> written = PlotStage.run(input, scorer, out).stream().map(Path::toString).toList();
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("charts", written);
        json.print(spec.commandLine().getOut(), res, () -> "wrote " + String.join(", ", written));
        return 0;
    }
}
