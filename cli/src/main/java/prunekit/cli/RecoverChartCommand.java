package prunekit.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.core.io.OutputGuard;
import prunekit.pipeline.RecoveryChartData;
import prunekit.recover.RunReport;
import prunekit.viz.Charts;
import prunekit.viz.WrittenChart;

/** {@code prunekit recover-chart RUN_DIR... --out DIR}: held-out perplexity vs tokens of several recovery runs. */
@Command(name = "recover-chart", mixinStandardHelpOptions = true,
        description = "Draw DIR/recovery.png and .svg: held-out perplexity against tokens for each `prunekit recover` run"
                + " given, with the dense and the unrecovered model as horizontal lines (from the first run that has them).",
        footer = {"", "Example:", "  prunekit recover-chart run/lora-ce run/lora-kd run/full-ce run/full-kd --out run"})
public final class RecoverChartCommand implements Callable<Integer> {
    @Mixin JsonOutput json;
    @Spec CommandSpec spec;
    @Mixin OverwriteOption overwrite;

    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "output directories of `prunekit recover`")
    List<Path> runs;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where recovery.png and recovery.svg go")
    Path out;

    @Option(names = "--names", split = ",", paramLabel = "A,B,...", description = "legend names, one per run (default: MODE LOSS)")
    List<String> names;

    @Option(names = "--title", paramLabel = "TEXT", description = "chart title")
    String title;

    @Override
    public Integer call() throws IOException {
        Path[] inputs = runs.stream().map(r -> r.resolve(RunReport.RECOVER_FILE)).toArray(Path[]::new);
        try (OutputGuard g = overwrite.entries(out, List.of("recovery.png", "recovery.svg"), inputs)) {
            return g.commitIf(write());
        }
    }

    private Integer write() throws IOException {
        WrittenChart c = Charts.write(RecoveryChartData.of(runs, names, title), out.resolve("recovery"));
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("png", c.png().toString());
        res.put("svg", c.svg().toString());
        json.print(spec.commandLine().getOut(), res, () -> "wrote " + c.png() + " and " + c.svg());
        return 0;
    }
}
