package prunekit.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.core.io.ModelLoader;
import prunekit.core.model.LlamaConfig;
import prunekit.export.BenchReport;
import prunekit.export.OnnxFlavour;
import prunekit.export.OnnxWriter;
import prunekit.export.OrtBench;
import prunekit.export.SyntheticModels;
import prunekit.prune.budget.Budget;

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
    @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime intra-op threads (default 2)") int threads;
    @Option(names = "--flavour", defaultValue = "standard", description = "flavour for models exported here: ${COMPLETION-CANDIDATES}")
    OnnxFlavour flavour;
    @Option(names = "--out", paramLabel = "FILE", description = "write the JSON report here") Path out;
    @Mixin JsonOutput json;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (models.isEmpty() && synthetic.isEmpty()) {
            throw new IllegalArgumentException("give at least one MODEL or --synthetic");
        }
        Path tmp = Files.createTempDirectory("prunekit-bench");
        try {
            OnnxWriter.Options opts = OnnxWriter.Options.defaults().withFlavour(flavour);
            List<OrtBench.Entry> entries = new ArrayList<>();
            for (Path m : models) {
                String name = m.getFileName().toString();
                if (name.toLowerCase(Locale.ROOT).endsWith(".onnx")) {
                    entries.add(new OrtBench.Entry(name, m));
                } else {
                    Path onnx = tmp.resolve(entries.size() + ".onnx");
                    OnnxWriter.write(ModelLoader.load(m, null).weights(), onnx, opts);
                    entries.add(new OrtBench.Entry(name, onnx));
                }
            }
            for (String s : synthetic) {
                LlamaConfig c = syntheticConfig(s);
                Path onnx = tmp.resolve(entries.size() + ".onnx");
                SyntheticModels.export(c, 1, onnx, opts);
                entries.add(new OrtBench.Entry("synthetic " + s + " (" + c.parameterCount() + " parameters)", onnx));
            }
            BenchReport report = OrtBench.run(entries, OrtBench.Config.defaults(threads));
            if (out != null) {
                report.write(out);
            }
            spec.commandLine().getOut().println(json.enabled() || out == null ? report.toJson() : "wrote " + out);
            spec.commandLine().getOut().flush();
            return 0;
        } finally {
            deleteTree(tmp);
        }
    }

    static LlamaConfig syntheticConfig(String s) {
        String[] parts = s.split(":", 2);
        if (!parts[0].equalsIgnoreCase("1b")) {
            throw new IllegalArgumentException("--synthetic '" + s + "': the known synthetic model is 1b (optionally 1b:SPEC)");
        }
        LlamaConfig dense = SyntheticModels.oneBillionShaped();
        return parts.length == 1 ? dense : Budget.TargetArch.parse(parts[1]).targetConfig(dense);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
