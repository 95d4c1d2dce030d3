package prunekit.recover;

import com.google.gson.Gson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import prunekit.core.engine.ForwardBenchmark;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;

/**
 * Training speed on a synthetic LLaMA-shaped model (default: mini-vina, hidden 256, 6 layers, 8
 * heads, FFN 688, vocab 4096, batch 16 × 256) next to the same run's DJL matmul rate for the
 * model's MLP GEMM (B·T × hidden) · (hidden × ffn). FLOPs counted per step: 3 × the forward FLOPs
 * of {@link ForwardBenchmark#forwardFlops} (2 · linear weights incl. the output head · tokens, plus
 * QKᵀ and PV over the causal half of the scores) for each sequence, i.e. 6·P·tokens + causal
 * attention ×3; the embedding gather, norms, softmax and the optimizer are not counted.
 * Usage: {@code TrainBenchmark [hidden ffn layers heads vocab batch seq steps]}; the last line is JSON.
 * Kept with the tests (not in the library): {@code bench/train/run.sh} runs it from the test classpath.
 */
public final class TrainBenchmark {
    private TrainBenchmark() {
    }

    public static void main(String[] args) {
        int hidden = arg(args, 0, 256);
        int ffn = arg(args, 1, 688);
        int layers = arg(args, 2, 6);
        int heads = arg(args, 3, 8);
        int vocab = arg(args, 4, 4096);
        int batch = arg(args, 5, 16);
        int seq = arg(args, 6, 256);
        int steps = arg(args, 7, 5);
        int warm = 2;
        LlamaConfig c = LlamaConfig.builder().vocabSize(vocab).hidden(hidden).headDim(hidden / heads).maxPositions(seq)
                .uniformLayers(layers, new LayerShape(heads, heads, ffn)).build();
        double matmul = ForwardBenchmark.matmulGflops(batch * seq, hidden, ffn, 10);
        int[] stream = new SplittableRandom(3).ints(1 << 20, 0, vocab).toArray();
        TrainRecipe recipe = TrainRecipe.builder().steps(warm + steps).batch(batch).seq(seq).warmup(1)
                .evalEvery(0).checkpointEvery(0).build();
        double[] timed = {0};
        TrainListener timer = new TrainListener() {
            private double before;

            @Override
            public void onStep(TrainLog.Entry e, int total, double tokensPerSecond, double etaSeconds) {
                if (e.step() > warm) {
                    timed[0] += e.seconds() - before;
                }
                before = e.seconds();
            }
        };
        Path out = tempDir();
        try {
            new Trainer(Recipe.train(recipe), RunOptions.defaults(), new TrainData(stream, null), out, timer)
                    .run(new Model(c, Initializer.initialize(c, 1, 0.02), null, "init"), null, false);
        } finally {
            delete(out);
        }
        double stepFlops = 3.0 * batch * ForwardBenchmark.forwardFlops(c, seq);
        double trainGflops = stepFlops * steps / timed[0] / 1e9;
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("benchmark", "train");
        res.put("shape", String.format("hidden %d, ffn %d, %d layers, %d heads, vocab %d, batch %d x %d", hidden, ffn,
                layers, heads, vocab, batch, seq));
        res.put("params", c.parameterCount());
        res.put("timed_steps", steps);
        res.put("seconds_per_step", timed[0] / steps);
        res.put("tokens_per_s", (double) batch * seq * steps / timed[0]);
        res.put("flops_per_step", stepFlops);
        res.put("train_gflops", trainGflops);
        res.put("matmul_gflops", matmul);
        res.put("ratio", trainGflops / matmul);
        System.out.println(new Gson().toJson(res));
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("prunekit-train-bench");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory: " + e.getMessage(), e);
        }
    }

    private static void delete(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temporary directory is harmless
        }
    }

    private static int arg(String[] a, int i, int def) {
        return a.length > i ? Integer.parseInt(a[i]) : def;
    }
}
