package prunekit.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.calibrate.CalibrationOptions;
import prunekit.pipeline.sweep.PruneTable;
import prunekit.prune.score.ScorerName;

/** {@code prunekit prune-table --out DIR --root DIR --shared DIR}: the benchmark table of bench/prune-table.sh. */
@Command(name = "prune-table", hidden = true, mixinStandardHelpOptions = true,
        description = "Held-out perplexity of every scorer at several keep ratios of the layers' parameters, uniform and"
                + " adaptive, no recovery, for mini-vina and stories260K: OUT/prune-table.md and OUT/prune-table.json.",
        footer = {"", "Example (what bench/prune-table.sh runs):",
            "  prunekit prune-table --out target/prune-table --root . --shared ../shared --eval-windows 16"})
public final class PruneTableCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ThreadsOption threads;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where the table goes") Path out;
    @Option(names = "--root", required = true, paramLabel = "DIR", description = "the prunekit checkout (models/stories260K.gguf)")
    Path root;
    @Option(names = "--shared", required = true, paramLabel = "DIR", description = "the shared models and data (models/mini-vina, data/vi)")
    Path shared;
    @Option(names = "--samples", defaultValue = "32", paramLabel = "N", description = "calibration windows (default ${DEFAULT-VALUE})")
    int samples;
    @Option(names = "--seq-len", defaultValue = "128", paramLabel = "L", description = "tokens per window (default ${DEFAULT-VALUE})")
    int seqLen;
    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "seed of the window offsets (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--eval-windows", defaultValue = "16", paramLabel = "N", description = "held-out windows of 256 (default ${DEFAULT-VALUE})")
    int evalWindows;
    @Option(names = "--oracle", defaultValue = "2x64", paramLabel = "BxT", description = "the oracle's batch (default ${DEFAULT-VALUE})")
    String oracle;
    @Option(names = "--models", split = ",", defaultValue = "mini-vina,stories260K", paramLabel = "M,...",
            description = "models to sweep (default ${DEFAULT-VALUE})") List<String> models;
    @Option(names = "--scorers", split = ",", paramLabel = "S,...", description = "scorers (default: all)") List<ScorerName> scorers;
    @Option(names = "--ratios", split = ",", defaultValue = "0.9,0.7,0.5,0.386", paramLabel = "R,...",
            description = "keep ratios of the layers' parameters (default ${DEFAULT-VALUE})") List<Double> ratios;

    @Override
    public Integer call() throws Exception {
        int[] bt = ScoreCommand.oracleBatch(oracle);
        PruneTable.Options o = new PruneTable.Options(out, root, shared, new CalibrationOptions(samples, seqLen, seed, 1),
                evalWindows, bt[0], bt[1], models, scorers != null ? scorers : List.of(ScorerName.values()), ratios);
        spec.commandLine().getOut().println(PruneTable.run(o, System.err::println));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
