package prunekit.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;

/**
 * The measuring parts of the forward benchmark ({@code prunekit bench-forward}, bench/forward/run.sh)
 * and of recover's training benchmark: FLOP count and DJL matmul rate (weights: {@link
 * prunekit.core.model.RandomWeights}). FLOPs
 * counted: 2·(every linear's weights)·tokens, plus the two attention matmuls over the causal half
 * of the T×T scores (what a fused kernel would do; our unfused path computes the full square, so
 * the ratio understates it slightly).
 */
public final class ForwardBenchmark {
    private ForwardBenchmark() {
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
}
