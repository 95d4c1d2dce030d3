package prunekit.prune.recon;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.TensorNames.Proj;

/**
 * Benchmark (not a test): the default recipe's local pruner on ONE synthetic LLaMA-2-7B-shaped decoder
 * layer (hidden 4096, 32 heads, FFN 11008, seeded N(0, 0.02) weights, unit norms), calibrated on seeded
 * N(0, 1) hidden states (a pruned and a distinct dense stream, as every layer after the first has),
 * pruned uniformly to the 2.7B ratio's keep (12 of 32 heads, 4249 of 11008 channels). Writes wall and
 * CPU seconds (whole layer, and the wide-matrix phases), peak RSS and machine load as JSON, with the
 * projection to 32 layers. Run by bench/recon/layer-7b.sh.
 *
 * <p>Arguments: OUT.json [tokens, default 8192 = 64 × 128].
 */
public final class Layer7bBench {
    private Layer7bBench() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 8192;
        ReconOptions o = ReconOptions.defaults().withMatmul((args.length > 2
                ? ReconOptions.Matmul.valueOf(args[2].toUpperCase(Locale.ROOT)) : ReconOptions.Matmul.AUTO).check());
        int t = 128;
        int windows = tokens / t;
        int hidden = 4096;
        int ffn = 11008;
        LayerShape shape = new LayerShape(32, 32, ffn);
        LlamaConfig c = LlamaConfig.builder().vocabSize(32000).hidden(hidden).headDim(128).uniformLayers(1, shape)
                .maxPositions(4096).build();
        String load0 = Files.readString(Path.of("/proc/loadavg")).trim();
        int units = (int) Math.round(0.386 * 32);
        int keepFfn = (int) Math.round(0.386 * ffn);
        long[] s = PhaseTimes.start();
        LayerPruner.Result res = LayerPruner.prune(c, layer(shape, hidden, 128, 1), streams(windows, t, hidden), units,
                keepFfn, LayerPruner.Sizes.NONE, o); // no reference to the layer or states kept here
        double wall = (System.nanoTime() - s[0]) / 1e9;
        double cpu = (PhaseTimes.cpuNanos() - s[1]) / 1e9;
        String load1 = Files.readString(Path.of("/proc/loadavg")).trim();
        StringBuilder phases = new StringBuilder();
        double phased = 0;
        for (Map.Entry<String, double[]> e : PhaseTimes.snapshot().entrySet()) {
            phased += e.getValue()[1];
            phases.append(String.format(Locale.ROOT, "%s\"%s\": {\"wall_s\": %.1f, \"cpu_s\": %.1f}",
                    phases.length() == 0 ? "" : ", ", e.getKey(), e.getValue()[0], e.getValue()[1]));
        }
        String json = String.format(Locale.ROOT, "{\"layer\": \"synthetic LLaMA-2-7B decoder layer (hidden 4096, 32 heads,"
                        + " FFN 11008, N(0, 0.02) weights)\", \"calibration_tokens\": %d, \"matmul\": \"%s\", \"cpu\": \"%s\", \"kept\": {\"heads\": %d,"
                        + " \"ffn\": %d}, \"kept_check\": {\"kv_heads\": %d, \"ffn\": %d}, \"layer_wall_s\": %.1f,"
                        + " \"layer_cpu_s\": %.1f, \"phases\": {%s}, \"other_cpu_s\": %.1f,"
                        + " \"other_note\": \"the layer's calibration forwards on both streams, targets and outputs\","
                        + " \"peak_rss_mb\": %d, \"max_heap_mb\": %d, \"cores\": %d,"
                        + " \"loadavg_start\": \"%s\", \"loadavg_end\": \"%s\","
                        + " \"projection_32_layers_wall_s\": %.0f, \"projection_32_layers_cpu_s\": %.0f,"
                        + " \"projection_note\": \"32 x this layer (each layer's prune includes its calibration"
                        + " forwards on both streams); embeddings, norms, the head and I/O not included\"}",
                tokens, o.matmul().bf16(hidden) ? "bf16" : "fp32", cpuModel(), units, keepFfn, res.kvHeads().length, res.ffn().length, wall, cpu, phases, cpu - phased, peakRssMb(),
                Runtime.getRuntime().maxMemory() >> 20,
                Runtime.getRuntime().availableProcessors(), load0, load1, 32 * wall, 32 * cpu);
        Files.writeString(out, json + "\n");
        System.out.println(json);
    }

    /** Seeded N(0, 1) states on the pruned stream and the dense stream beside them (plus N(0, 0.01) noise). */
    static LayerPruner.States streams(int windows, int t, int hidden) {
        float[] pruned = gaussian(windows * t * hidden, 1.0, 2);
        float[] dense = pruned.clone();
        Random r = new Random(3);
        for (int i = 0; i < dense.length; i++) {
            dense[i] += (float) (0.1 * r.nextGaussian());
        }
        return new LayerPruner.States(pruned, dense, windows, t);
    }

    static LayerTensors layer(LayerShape s, int hidden, int hd, long seed) {
        Map<Proj, FloatTensor> ws = new EnumMap<>(Proj.class);
        int qd = s.queryHeads() * hd;
        int kvd = s.kvHeads() * hd;
        int[][] shapes = {{qd, hidden}, {kvd, hidden}, {kvd, hidden}, {hidden, qd}, {s.ffn(), hidden}, {s.ffn(), hidden},
            {hidden, s.ffn()}};
        List<Proj> order = List.of(Proj.Q, Proj.K, Proj.V, Proj.O, Proj.GATE, Proj.UP, Proj.DOWN);
        for (int i = 0; i < order.size(); i++) {
            int[] sh = shapes[i];
            ws.put(order.get(i), new FloatTensor(sh, gaussian(sh[0] * sh[1], 0.02, seed + 10 + i)));
        }
        float[] ones = new float[hidden];
        java.util.Arrays.fill(ones, 1f);
        return new LayerTensors(s, new FloatTensor(new int[] {hidden}, ones),
                new FloatTensor(new int[] {hidden}, ones.clone()), ws, Map.of());
    }

    private static float[] gaussian(int size, double std, long seed) {
        Random r = new Random(seed);
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) (std * r.nextGaussian());
        }
        return a;
    }

    private static String cpuModel() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "unknown";
    }

    /** VmHWM of this process (native memory included), MB. */
    private static long peakRssMb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}
