package prunekit.cli;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.core.engine.ForwardBenchmark;
import prunekit.core.engine.Transformer;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.RandomWeights;

/**
 * {@code prunekit bench-forward}: prefill speed of the forward pass on a synthetic model of
 * realistic shape, next to the same run's measured DJL matmul rate (bench/forward/run.sh). The
 * output is one line of JSON.
 */
@Command(name = "bench-forward", hidden = true, mixinStandardHelpOptions = true,
        description = "Prefill tokens/s and GFLOP/s of a synthetic LLaMA-shaped model (random weights) against DJL's matmul"
                + " rate in the same run; prints one line of JSON.",
        footer = {"", "Example:", "  prunekit bench-forward --hidden 2048 --ffn 5504 --layers 4 --heads 16 --tokens 512"})
public final class BenchForwardCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ThreadsOption threads;

    @Option(names = "--hidden", defaultValue = "2048", description = "hidden size (default ${DEFAULT-VALUE})") int hidden;
    @Option(names = "--ffn", defaultValue = "5504", description = "FFN width (default ${DEFAULT-VALUE})") int ffn;
    @Option(names = "--layers", defaultValue = "4", description = "decoder layers (default ${DEFAULT-VALUE})") int layers;
    @Option(names = "--heads", defaultValue = "16", description = "attention heads, as many KV heads (default ${DEFAULT-VALUE})")
    int heads;
    @Option(names = "--tokens", defaultValue = "512", description = "prefill length (default ${DEFAULT-VALUE})") int tokens;
    @Option(names = "--repeats", defaultValue = "5", description = "timed runs, the best counts (default ${DEFAULT-VALUE})")
    int repeats;

    @Override
    public Integer call() {
        LlamaConfig c = LlamaConfig.builder().vocabSize(32000).hidden(hidden).headDim(hidden / heads)
                .uniformLayers(layers, new LayerShape(heads, heads, ffn)).maxPositions(Math.max(tokens, 2048)).build();
        LlamaWeights w = RandomWeights.of(c, 1);
        double matmul = ForwardBenchmark.matmulGflops(tokens, hidden, ffn, repeats * 4);
        double flops = ForwardBenchmark.forwardFlops(c, tokens);
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
        res.put("threads", threads.count());
        res.put("prefill_seconds", best);
        res.put("prefill_tokens_per_s", tokens / best);
        res.put("forward_gflops", gflops);
        res.put("matmul_gflops", matmul);
        res.put("ratio", gflops / matmul);
        spec.commandLine().getOut().println(new com.google.gson.Gson().toJson(res));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
