package prunekit.calibrate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntConsumer;
import prunekit.core.engine.Engines;
import prunekit.core.engine.Losses;
import prunekit.core.engine.Params;
import prunekit.core.engine.Tensors;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.WindowBatch;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaWeights;

/**
 * One pass over the calibration windows with {@link StatsHooks} attached, and optionally
 * gradients: every weight gets {@code requiresGradient}, each batch's mean loss is back-propagated
 * inside a {@link GradientCollector}, and PyTorch accumulates the gradients across batches (the
 * collector never zeroes them), so reading them once at the end and dividing by the number of
 * batches gives the gradient of the mean calibration loss. The arrays are a fresh fp32 copy of
 * the weights, owned here, so no earlier gradient can leak in.
 */
public final class StatsCollector {
    private StatsCollector() {
    }

    public static ActivationStats collect(LlamaWeights weights, CalibrationSet set, StatsOptions options,
                                          IntConsumer progress) {
        ActivationStats stats = new ActivationStats(weights.config());
        int[][] windows = set.calibration();
        int len = set.seqLen();
        int batches = 0;
        try (Params params = new Params(weights); Transformer model = new Transformer(params)) {
            if (options.gradients()) {
                params.arrays().values().forEach(a -> a.setRequiresGradient(true));
            }
            StatsHooks hooks = new StatsHooks(stats);
            for (int w0 = 0; w0 < windows.length; w0 += options.batch()) {
                int b = Math.min(options.batch(), windows.length - w0);
                try (NDManager m = model.manager().newSubManager()) {
                    WindowBatch cut = WindowBatch.of(windows, w0, b, len);
                    NDArray ids = cut.inputArray(m);
                    NDArray targets = cut.targetArray(m);
                    stats.addLoss(options.gradients() ? backward(model, ids, targets, hooks)
                            : forward(model, ids, targets, hooks));
                }
                stats.addTokens((long) b * len);
                batches++;
                if (progress != null) {
                    progress.accept(w0 + b);
                }
            }
            if (options.gradients()) {
                stats.setGradients(readGradients(params, batches));
            }
        }
        return stats;
    }

    private static double forward(Transformer model, NDArray ids, NDArray targets, StatsHooks hooks) {
        try (NDArray logits = model.forward(ids, null, hooks);
             NDArray loss = Losses.tokenNll(logits, targets).mean()) {
            return loss.getFloat();
        }
    }

    private static double backward(Transformer model, NDArray ids, NDArray targets, StatsHooks hooks) {
        try (GradientCollector gc = Engines.pytorch().newGradientCollector();
             NDArray logits = model.forward(ids, null, hooks);
             NDArray loss = Losses.tokenNll(logits, targets).mean()) {
            gc.backward(loss);
            return loss.getFloat();
        }
    }

    /** The accumulated gradients divided by {@code batches}, as tensors shaped like the weights. */
    private static Map<String, FloatTensor> readGradients(Params params, int batches) {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : params.arrays().entrySet()) {
            FloatTensor t;
            try (NDArray grad = e.getValue().getGradient()) {
                t = Tensors.toFloatTensor(grad);
            }
            float[] g = t.data();
            for (int i = 0; i < g.length; i++) {
                g[i] /= batches;
            }
            out.put(e.getKey(), t);
        }
        return out;
    }
}
