package prunekit.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.RandomWeights;

/**
 * Prefill speed of the forward pass on a synthetic model of realistic shape, next to the same
 * run's measured DJL matmul rate. FLOPs counted: 2·(every linear's weights)·tokens, plus the two
 * attention matmuls over the causal half of the T×T scores (what a fused kernel would do; our
 * unfused path computes the full square, so the ratio understates it slightly).
 * Usage: {@code ForwardBenchmark [hidden ffn layers heads tokens repeats]}; last line is JSON.
 */
public final class ForwardBenchmark {
    private ForwardBenchmark() {
    }

    public static void main(String[] args) {
        int hidden = arg(args, 0, 2048);
        int ffn = arg(args, 1, 5504);
        int layers = arg(args, 2, 4);
        int heads = arg(args, 3, 16);
        int tokens = arg(args, 4, 512);
        int repeats = arg(args, 5, 5);
        LlamaConfig c = LlamaConfig.builder().vocabSize(32000).hidden(hidden).headDim(hidden / heads)
                .uniformLayers(layers, new LayerShape(heads, heads, ffn)).maxPositions(Math.max(tokens, 2048)).build();
        LlamaWeights w = RandomWeights.of(c, 1);
        double matmul = matmulGflops(tokens, hidden, ffn, repeats * 4);
        double flops = forwardFlops(c, tokens);
        double best = Double.MAX_VALUE;
        int[] ids = new SplittableRandom(2).ints(tokens, 0, c.vocabSize()).toArray();
        try (Transformer t = new Transformer(w)) {
            t.logits(Arrays.copyOf(ids, 16)); // warm-up
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                try (NDArray in = t.idsArray(new int[][] {ids}); NDArray out = t.forward(in, null, null)) {
                    out.toFloatArray();
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
        }
        double gflops = flops / best / 1e9;
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("benchmark", "forward");
        res.put("shape", String.format("hidden %d, ffn %d, %d layers, %d heads, vocab %d", hidden, ffn, layers, heads, c.vocabSize()));
        res.put("tokens", tokens);
        res.put("threads", Runtime.getRuntime().availableProcessors());
        res.put("prefill_seconds", best);
        res.put("prefill_tokens_per_s", tokens / best);
        res.put("forward_gflops", gflops);
        res.put("matmul_gflops", matmul);
        res.put("ratio", gflops / matmul);
        System.out.println(new com.google.gson.Gson().toJson(res));
    }

    /** FLOPs of one prefill of {@code t} tokens (linears + causal attention). */
    public static double forwardFlops(LlamaConfig c, int t) {
        Map<String, Long> p = c.parameterCounts();
        long linear = p.get("attention") + p.get("mlp") + (long) c.vocabSize() * c.hidden(); // + output head
        double f = 2.0 * linear * t;
        for (LayerShape s : c.layers()) {
            f += 2.0 * 2.0 * s.queryHeads() * c.headDim() * (t * (t + 1) / 2.0);
        }
        return f;
    }

    /** Best-of-n rate of an (m × k) · (k × n) fp32 matmul in DJL. */
    public static double matmulGflops(int m, int k, int n, int repeats) {
        try (NDManager man = Engines.newManager()) {
            NDArray a = man.randomNormal(new Shape(m, k));
            NDArray b = man.randomNormal(new Shape(k, n));
            a.matMul(b).close();
            double best = Double.MAX_VALUE;
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                try (NDArray c = a.matMul(b)) {
                    c.toFloatArray();
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            return 2.0 * m * k * n / best / 1e9;
        }
    }

    private static int arg(String[] a, int i, int def) {
        return a.length > i ? Integer.parseInt(a[i]) : def;
    }

}
