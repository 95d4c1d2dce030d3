package prunekit.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import prunekit.core.io.ModelLoader;
import prunekit.core.model.LlamaConfig;
import prunekit.export.BenchReport;
import prunekit.export.OnnxWriter;
import prunekit.export.OrtBench;
import prunekit.export.SyntheticModels;
import prunekit.prune.budget.Budget;

/**
 * ONNX Runtime CPU speed of several models side by side. Models that are not {@code .onnx} files
 * are exported first (to a temporary directory, removed afterwards); synthetic models are made on the fly.
 */
public final class BenchStage {
    private BenchStage() {
    }

    /** {@code synthetic}: names as {@link #syntheticConfig} takes; {@code out} null: no file written. */
    public record Options(List<Path> models, List<String> synthetic, OnnxWriter.Options writer, OrtBench.Config config,
                          Path out) {
        public Options {
            models = models == null ? List.of() : List.copyOf(models);
            synthetic = synthetic == null ? List.of() : List.copyOf(synthetic);
            if (models.isEmpty() && synthetic.isEmpty()) {
                throw new IllegalArgumentException("give at least one MODEL or --synthetic");
            }
        }
    }

    public static BenchReport run(Options o) throws Exception {
        Path tmp = Files.createTempDirectory("prunekit-bench");
        try {
            List<OrtBench.Entry> entries = new ArrayList<>();
            for (Path m : o.models()) {
                String name = m.getFileName().toString();
                if (name.toLowerCase(Locale.ROOT).endsWith(".onnx")) {
                    entries.add(new OrtBench.Entry(name, m));
                } else {
                    Path onnx = tmp.resolve(entries.size() + ".onnx");
                    OnnxWriter.write(ModelLoader.load(m, null).weights(), onnx, o.writer());
                    entries.add(new OrtBench.Entry(name, onnx));
                }
            }
            for (String s : o.synthetic()) {
                LlamaConfig c = syntheticConfig(s);
                Path onnx = tmp.resolve(entries.size() + ".onnx");
                SyntheticModels.export(c, 1, onnx, o.writer());
                entries.add(new OrtBench.Entry("synthetic " + s + " (" + c.parameterCount() + " parameters)", onnx));
            }
            BenchReport report = OrtBench.run(entries, o.config());
            if (o.out() != null) {
                report.write(o.out());
            }
            return report;
        } finally {
            RunDirectory.deleteContents(tmp);
            Files.delete(tmp);
        }
    }

    /** Decode tokens/s of model {@code index} at batch 1. */
    public static double decodeTokensPerSecond(BenchReport r, int index) {
        for (BenchReport.Decode d : r.models().get(index).decode()) {
            if (d.batch() == 1) {
                return d.tokensPerSecond();
            }
        }
        throw new IllegalStateException("the benchmark of " + r.models().get(index).name() + " has no batch-1 decode result");
    }

    /** {@code 1b} (hidden 2048, FFN 5632, 16 heads, 22 layers, random weights) or {@code 1b:SPEC}: that model cut to SPEC. */
    public static LlamaConfig syntheticConfig(String s) {
        String[] parts = s.split(":", 2);
        if (!parts[0].equalsIgnoreCase("1b")) {
            throw new IllegalArgumentException("--synthetic '" + s + "': the known synthetic model is 1b (optionally 1b:SPEC)");
        }
        LlamaConfig dense = SyntheticModels.oneBillionShaped();
        return parts.length == 1 ? dense : Budget.TargetArch.parse(parts[1]).targetConfig(dense);
    }

}
