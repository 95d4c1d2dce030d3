package prunekit.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.core.io.OutputGuard;
import prunekit.export.BenchReport;
import prunekit.export.OnnxFlavour;
import prunekit.export.OnnxWriter;
import prunekit.export.OrtBench;
import prunekit.pipeline.BenchStage;

/**
 * {@code prunekit bench MODEL...}: ONNX Runtime CPU speed of several models side by side (prefill
 * tokens/s at 128 and 512, decode tokens/s at batch 1 and 4, p50/p90 latency, peak memory).
 * Models that are not {@code .onnx} files are exported first; synthetic models are made on the fly.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark models in ONNX Runtime (CPU) side by side; JSON with --json or --out.",
        footer = {"", "Examples:", "  prunekit bench models/mini-vina runs/demo/pruned --threads 2 --out bench.json",
            "  prunekit bench --synthetic 1b --synthetic 1b:hidden=2048,heads=6,kv-heads=6,ffn=2176,layers=22",
            "", "--synthetic takes '1b' (hidden 2048, FFN 5632, 16 heads, 22 layers, vocab 32000, random weights)",
            "or '1b:SPEC' with SPEC as in prune --target-arch: the same model cut to that shape."})
public final class BenchCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", arity = "0..*", description = ".onnx files or models to export first")
    List<Path> models = new ArrayList<>();

    @Option(names = "--synthetic", paramLabel = "NAME", description = "a synthetic model: 1b or 1b:SPEC") List<String> synthetic = new ArrayList<>();
    @Option(names = "--flavour", defaultValue = "standard", description = "flavour for models exported here: ${COMPLETION-CANDIDATES}")
    OnnxFlavour flavour;
    @Option(names = "--prefill", split = ",", defaultValue = "128,512", paramLabel = "T,...",
            description = "prefill lengths in tokens (default ${DEFAULT-VALUE})") List<Integer> prefill;
    @Option(names = "--decode-batch", split = ",", defaultValue = "1,4", paramLabel = "B,...",
            description = "decode batch sizes (default ${DEFAULT-VALUE})") List<Integer> decodeBatches;
    @Option(names = "--decode-context", defaultValue = "128", paramLabel = "T",
            description = "tokens prefilled before the timed decode steps (default ${DEFAULT-VALUE})") int decodeContext;
    @Option(names = "--decode-steps", defaultValue = "32", paramLabel = "N", description = "timed decode steps (default ${DEFAULT-VALUE})")
    int decodeSteps;
    @Option(names = "--runs", defaultValue = "3", paramLabel = "N", description = "timed runs per measurement (default ${DEFAULT-VALUE})")
    int runs;
    @Option(names = "--out", paramLabel = "FILE", description = "write the JSON report here") Path out;
    @Mixin JsonOutput json;
    @Mixin AllowNonFinite allowNonFinite;
    @Mixin ThreadsOption threads;
    @Spec CommandSpec spec;
    @Mixin OverwriteOption overwrite;

    @Override
    public Integer call() throws Exception {
        if (out == null) {
            return write();
        }
        try (OutputGuard g = overwrite.file(out, models.toArray(Path[]::new))) {
            return g.commitIf(write());
        }
    }

    private Integer write() throws Exception {
        OrtBench.Config config = new OrtBench.Config(prefill, decodeBatches, decodeContext, decodeSteps, 1, runs, threads.count(), 42);
        BenchReport report = BenchStage.run(new BenchStage.Options(models, synthetic,
                OnnxWriter.Options.defaults().withFlavour(flavour), config, out));
        spec.commandLine().getOut().println(json.enabled() || out == null ? report.toJson() : "wrote " + out);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
