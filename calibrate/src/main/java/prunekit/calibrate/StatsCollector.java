package prunekit.calibrate;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import prunekit.core.engine.ForwardHooks;
import prunekit.core.engine.LayerStep;
import prunekit.core.engine.LayerStreamer;
import prunekit.core.engine.LayerwiseBackward;
import prunekit.core.engine.Losses;
import prunekit.core.eval.WindowBatch;
import prunekit.core.io.TensorSource;
import prunekit.core.model.LlamaWeights;

/**
 * One pass over the calibration windows with {@link StatsHooks} attached, streamed
 * ({@link LayerStreamer}): one decoder layer's weights resident with the hidden states of every
 * window, the same ops per batch as the in-memory forward, and each layer's statistics accumulated
 * batch by batch as that forward does, so the numbers are bit-identical to it. With gradients the
 * same pass keeps every layer's inputs and a {@link LayerwiseBackward} back-propagates each batch's
 * mean loss one layer at a time (recomputing each layer from its inputs); the gradients, summed
 * over batches and divided by their number (the gradient of the mean calibration loss), are
 * bit-identical to a whole-model backward's, without the whole model in memory.
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
     * {@code progress} (may be null) hears the layers done by the forward pass.
     */
    public static ActivationStats collect(TensorSource weights, CalibrationSet set, StatsOptions options,
                                          IntConsumer progress) {
        ActivationStats stats = new ActivationStats(weights.config());
        int[][] windows = set.calibration();
        int len = set.seqLen();
        List<WindowBatch> cuts = new ArrayList<>();
        List<int[][]> batches = new ArrayList<>();
        for (int w0 = 0; w0 < windows.length; w0 += options.batch()) {
            WindowBatch cut = WindowBatch.of(windows, w0, Math.min(options.batch(), windows.length - w0), len);
            cuts.add(cut);
            batches.add(cut.inputRows());
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
        LayerStreamer.LogitsSink loss = (j, logits) -> {
            try (NDArray targets = cuts.get(j).targetArray(logits.getManager());
                 NDArray mean = Losses.tokenNll(logits, targets).mean()) {
                stats.addLoss(mean.getFloat());
            }
            stats.addTokens((long) batches.get(j).length * len);
        };
        if (options.gradients()) {
            stats.setGradients(LayerwiseBackward.meanLossGradients(weights, cuts, step, loss, options.spillDir()));
        } else {
            new LayerStreamer(weights).forward(batches, step, loss);
        }
        return stats;
    }
}
