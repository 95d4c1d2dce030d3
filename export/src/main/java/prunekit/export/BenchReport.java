package prunekit.export;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import prunekit.core.io.AtomicFiles;
import prunekit.core.io.Json;

/**
 * What {@link OrtBench} measured, for several models side by side; written as JSON (bench.json)
 * for the report. Rates are tokens per second over the timed runs; latencies are per run
 * (prefill) or per step (decode), in milliseconds, nearest-rank percentiles.
 */
public record BenchReport(Environment environment, OrtBench.Config config, List<ModelResult> models) {
    public BenchReport {
        models = List.copyOf(models);
    }

    /** Where it ran: CPU, cores, ONNX Runtime version, intra-op threads. */
    public record Environment(String cpu, int availableProcessors, String os, String java, String onnxRuntime,
                              int intraOpThreads) {
    }

    /**
     * One model. {@code peakRssBytes} is VmHWM after this model's runs; when
     * {@code peakRssPerModel} is false the kernel refused to reset it and it is the process's peak
     * since start (earlier models included).
     */
    public record ModelResult(String name, String path, long fileBytes, String flavour, String weightDtype,
                              double loadSeconds, List<Prefill> prefill, List<Decode> decode, long rssAfterLoadBytes,
                              long peakRssBytes, boolean peakRssPerModel) {
        public ModelResult {
            prefill = List.copyOf(prefill);
            decode = List.copyOf(decode);
        }
    }

    /** Prefill of {@code tokens} tokens at batch 1 from an empty cache. */
    public record Prefill(int tokens, int runs, double tokensPerSecond, double p50Ms, double p90Ms) {
    }

    /** {@code steps} decode steps at {@code batch} after a {@code context}-token prefill. */
    public record Decode(int batch, int context, int steps, double tokensPerSecond, double p50Ms, double p90Ms) {
    }

    public String toJson() {
        return Json.format(Json.tree(this), Json.Layout.EXPANDED);
    }

    /** Writes the JSON to {@code file} (temporary name, then rename). */
    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, toJson());
    }
}
