package prunekit.export;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Latency and throughput of exported models in ONNX Runtime (CPU), side by side: prefill tokens/s
 * at each prompt length (batch 1, from an empty cache), decode tokens/s at each batch size (one
 * token per row per step after a prefill of {@code decodeContext} tokens), p50/p90 latencies,
 * and memory (RSS after loading, peak RSS). Token ids are random (seeded); speed does not depend
 * on them. Timings include copying the logits into Java, as a Java caller pays for it.
 * Models run one after another in this process with a fixed intra-op thread count.
 */
public final class OrtBench {
    /** What to measure. */
    public record Config(List<Integer> prefillLengths, List<Integer> decodeBatches, int decodeContext,
                         int decodeSteps, int warmupRuns, int timedRuns, int intraOpThreads, long seed) {
        public Config {
            prefillLengths = List.copyOf(prefillLengths);
            decodeBatches = List.copyOf(decodeBatches);
            if (decodeContext < 1 || decodeSteps < 1 || warmupRuns < 0 || timedRuns < 1 || intraOpThreads < 1) {
                throw new IllegalArgumentException("invalid bench config: decode context " + decodeContext + ", decode steps "
                        + decodeSteps + ", warm-up runs " + warmupRuns + ", timed runs " + timedRuns + ", threads "
                        + intraOpThreads + " (each at least 1, warm-up at least 0)");
            }
        }

        /** Prefill at 128 and 512 tokens, decode at batch 1 and 4 (128-token context, 32 steps), 3 runs. */
        public static Config defaults(int intraOpThreads) {
            return new Config(List.of(128, 512), List.of(1, 4), 128, 32, 1, 3, intraOpThreads, 42);
        }
    }

    /** A model to benchmark under a display name. */
    public record Entry(String name, Path onnx) {
    }

    private OrtBench() {
    }

    public static BenchReport run(List<Entry> entries, Config config) throws OrtException, IOException {
        List<BenchReport.ModelResult> results = new ArrayList<>();
        for (Entry e : entries) {
            results.add(runOne(e, config));
        }
        return new BenchReport(environment(config), config, results);
    }

    private static BenchReport.ModelResult runOne(Entry e, Config c) throws OrtException, IOException {
        boolean perModelPeak = MemoryProbe.resetPeak();
        long t0 = System.nanoTime();
        try (OnnxModel m = OnnxModel.load(e.onnx(), new OnnxModel.RunOptions(c.intraOpThreads(), true))) {
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            long rssAfterLoad = MemoryProbe.rssBytes();
            SplittableRandom rng = new SplittableRandom(c.seed());
            List<BenchReport.Prefill> prefill = new ArrayList<>();
            for (int len : c.prefillLengths()) {
                prefill.add(prefill(m, len, c, rng));
            }
            List<BenchReport.Decode> decode = new ArrayList<>();
            for (int batch : c.decodeBatches()) {
                decode.add(decode(m, batch, c, rng));
            }
            long fileBytes = Files.size(e.onnx());
            Path data = e.onnx().resolveSibling(e.onnx().getFileName() + ".data");
            if (Files.exists(data)) {
                fileBytes += Files.size(data);
            }
            return new BenchReport.ModelResult(e.name(), e.onnx().toString(), fileBytes,
                    m.metadata().getOrDefault(ModelMetadata.FLAVOUR, "unknown"),
                    m.metadata().getOrDefault(ModelMetadata.WEIGHT_DTYPE, "unknown"), loadSeconds, prefill, decode,
                    rssAfterLoad, MemoryProbe.peakRssBytes(), perModelPeak);
        }
    }

    private static BenchReport.Prefill prefill(OnnxModel m, int len, Config c, SplittableRandom rng)
            throws OrtException {
        checkPositions(m, len);
        double[] ms = new double[c.timedRuns()];
        for (int run = -c.warmupRuns(); run < c.timedRuns(); run++) {
            int[][] ids = {randomIds(rng, len, m.vocabSize())};
            try (OrtSequence s = m.newSequence(1)) {
                long t = System.nanoTime();
                s.append(ids);
                if (run >= 0) {
                    ms[run] = (System.nanoTime() - t) / 1e6;
                }
            }
        }
        double total = Arrays.stream(ms).sum();
        return new BenchReport.Prefill(len, c.timedRuns(), len * c.timedRuns() / (total / 1e3),
                percentile(ms, 50), percentile(ms, 90));
    }

    private static BenchReport.Decode decode(OnnxModel m, int batch, Config c, SplittableRandom rng)
            throws OrtException {
        checkPositions(m, c.decodeContext() + c.decodeSteps());
        List<Double> steps = new ArrayList<>();
        for (int run = -c.warmupRuns(); run < c.timedRuns(); run++) {
            int[][] prompt = new int[batch][];
            for (int b = 0; b < batch; b++) {
                prompt[b] = randomIds(rng, c.decodeContext(), m.vocabSize());
            }
            try (OrtSequence s = m.newSequence(batch)) {
                Logits l = s.append(prompt);
                int[][] next = new int[batch][1];
                for (int b = 0; b < batch; b++) {
                    next[b][0] = l.argmax(b, l.steps() - 1);
                }
                for (int step = 0; step < c.decodeSteps(); step++) {
                    long t = System.nanoTime();
                    l = s.append(next);
                    double elapsed = (System.nanoTime() - t) / 1e6;
                    if (run >= 0) {
                        steps.add(elapsed);
                    }
                    for (int b = 0; b < batch; b++) {
                        next[b][0] = l.argmax(b, 0);
                    }
                }
            }
        }
        double[] ms = steps.stream().mapToDouble(Double::doubleValue).toArray();
        double total = Arrays.stream(ms).sum();
        return new BenchReport.Decode(batch, c.decodeContext(), c.decodeSteps(), batch * ms.length / (total / 1e3),
                percentile(ms, 50), percentile(ms, 90));
    }

    private static void checkPositions(OnnxModel m, int needed) {
        if (needed > m.maxPositions()) {
            throw new IllegalArgumentException(m.path() + " covers " + m.maxPositions() + " positions but the"
                    + " benchmark needs " + needed + "; shorten the prompt lengths or export with more positions");
        }
    }

    private static int[] randomIds(SplittableRandom rng, int n, int vocab) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = rng.nextInt(vocab);
        }
        return ids;
    }

    /** Nearest-rank percentile of {@code values} (unsorted). */
    static double percentile(double[] values, double p) {
        double[] s = values.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }

    private static BenchReport.Environment environment(Config c) {
        String cpu = "unknown";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (IOException | RuntimeException e) {
            // not Linux: leave "unknown"
        }
        return new BenchReport.Environment(cpu, Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), System.getProperty("java.version"),
                OrtEnvironment.getEnvironment().getVersion(), c.intraOpThreads());
    }
}
