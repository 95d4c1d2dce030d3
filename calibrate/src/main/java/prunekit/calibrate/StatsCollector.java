package prunekit.calibrate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import prunekit.core.engine.Engines;
import prunekit.core.engine.ForwardHooks;
import prunekit.core.engine.LayerStep;
import prunekit.core.engine.LayerStreamer;
import prunekit.core.engine.Losses;
import prunekit.core.engine.Params;
import prunekit.core.engine.Tensors;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.WindowBatch;
import prunekit.core.io.TensorSource;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaWeights;

/**
 * One pass over the calibration windows with {@link StatsHooks} attached. Without gradients the
 * pass streams ({@link LayerStreamer}): one decoder layer's weights resident with the hidden states
 * of every window, the same ops per batch as the in-memory forward, and each layer's statistics
 * accumulated batch by batch as that forward does, so the numbers are bit-identical to it. With
 * gradients the whole model is in memory: every weight gets {@code requiresGradient}, each batch's mean loss is back-propagated
 * inside a {@link GradientCollector}, and PyTorch accumulates the gradients across batches (the
 * collector never zeroes them), so reading them once at the end and dividing by the number of
 * batches gives the gradient of the mean calibration loss. The arrays are a fresh fp32 copy of
 * the weights, owned here, so no earlier gradient can leak in.
 */
public final class StatsCollector {
    private StatsCollector() {
    }

    /** {@link #collect(TensorSource, CalibrationSet, StatsOptions, IntConsumer)} of weights in memory. */
    public static ActivationStats collect(LlamaWeights weights, CalibrationSet set, StatsOptions options,
                                          IntConsumer progress) {
        return collect(TensorSource.of(weights, "weights in memory"), set, options, progress);
    }

    /**
     * The statistics of {@code set}'s calibration windows, {@code options.batch()} per forward;
     * {@code progress} (may be null) hears the layers done (streamed) or the windows done (with gradients).
     */
    public static ActivationStats collect(TensorSource weights, CalibrationSet set, StatsOptions options,
                                          IntConsumer progress) {
        return options.gradients() ? withGradients(weights.readAll(), set, options, progress)
                : streamed(weights, set, options, progress);
    }

    private static ActivationStats streamed(TensorSource weights, CalibrationSet set, StatsOptions options,
                                            IntConsumer progress) {
        ActivationStats stats = new ActivationStats(weights.config());
        int[][] windows = set.calibration();
        int len = set.seqLen();
        List<int[][]> batches = new ArrayList<>();
        for (int w0 = 0; w0 < windows.length; w0 += options.batch()) {
            int b = Math.min(options.batch(), windows.length - w0);
            int[][] ids = new int[b][];
            for (int r = 0; r < b; r++) {
                ids[r] = Arrays.copyOf(windows[w0 + r], len);
            }
            batches.add(ids);
        }
        StatsHooks hooks = new StatsHooks(stats);
        LayerStep step = new LayerStep() {
            @Override
            public ForwardHooks hooks(int layer) {
                return hooks;
            }

            @Override
            public void done(int layer) {
                if (progress != null) {
                    progress.accept(layer + 1);
                }
            }
        };
        new LayerStreamer(weights).forward(batches, step, (j, logits) -> {
            int w0 = j * options.batch();
            int b = batches.get(j).length;
            try (NDArray targets = WindowBatch.of(windows, w0, b, len).targetArray(logits.getManager());
                 NDArray loss = Losses.tokenNll(logits, targets).mean()) {
                stats.addLoss(loss.getFloat());
            }
            stats.addTokens((long) b * len);
        });
        return stats;
    }

    private static ActivationStats withGradients(LlamaWeights weights, CalibrationSet set, StatsOptions options,
                                                 IntConsumer progress) {
        ActivationStats stats = new ActivationStats(weights.config());
        int[][] windows = set.calibration();
        int len = set.seqLen();
        int batches = 0;
        try (Params params = new Params(weights); Transformer model = new Transformer(params)) {
            params.arrays().values().forEach(a -> a.setRequiresGradient(true));
            StatsHooks hooks = new StatsHooks(stats);
            for (int w0 = 0; w0 < windows.length; w0 += options.batch()) {
                int b = Math.min(options.batch(), windows.length - w0);
                try (NDManager m = model.manager().newSubManager()) {
                    WindowBatch cut = WindowBatch.of(windows, w0, b, len);
                    NDArray ids = cut.inputArray(m);
                    NDArray targets = cut.targetArray(m);
                    stats.addLoss(backward(model, ids, targets, hooks));
                }
                stats.addTokens((long) b * len);
                batches++;
                if (progress != null) {
                    progress.accept(w0 + b);
                }
            }
            stats.setGradients(readGradients(params, batches));
        }
        return stats;
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
