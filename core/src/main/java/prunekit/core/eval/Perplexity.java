package prunekit.core.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import prunekit.core.engine.LayerStreamer;
import prunekit.core.engine.Losses;
import prunekit.core.engine.MemoryCheck;
import prunekit.core.engine.Transformer;
import prunekit.core.model.LlamaConfig;

/**
 * Perplexity under the shared protocol: windows of {@code ctx} inputs and {@code ctx} targets
 * taken back to back from a {@link TokenStream}; perplexity = exp(mean NLL over every target).
 * The same windows and batches run on the in-memory {@link Transformer} or, one layer resident at
 * a time, on a {@link LayerStreamer}; both give the same numbers. A batch larger than
 * {@link MemoryCheck#FORWARD_ACTIVATION_BYTES} allows (long windows) runs as several smaller ones.
 */
public final class Perplexity {
    private Perplexity() {
    }

    /** The outcome of one evaluation; {@code windowNll} holds the summed NLL of each window. */
    public record Result(double perplexity, double meanNll, double bitsPerByte, long tokens, int windows,
                         double seconds, double tokensPerSecond, double[] windowNll) {
    }

    /** {@code progress} hears the windows done. */
    public static Result evaluate(Transformer model, TokenStream stream, int ctx, int batch, IntConsumer progress) {
        Windows w = new Windows(model.config(), stream, ctx, batch);
        for (int j = 0; j < w.batches.size(); j++) {
            try (NDManager m = model.manager().newSubManager()) {
                NDArray ids = w.cut(j).inputArray(m);
                try (NDArray logits = model.forward(ids, null, null)) {
                    w.add(j, logits);
                }
            }
            if (progress != null) {
                progress.accept(w.windowsThrough(j));
            }
        }
        return w.result();
    }

    /** The same on a layer-streaming executor; {@code layersDone} hears after each layer. */
    public static Result evaluate(LayerStreamer model, TokenStream stream, int ctx, int batch, IntConsumer layersDone) {
        Windows w = new Windows(model.config(), stream, ctx, batch);
        List<int[][]> inputs = new ArrayList<>();
        for (int j = 0; j < w.batches.size(); j++) {
            inputs.add(w.cut(j).inputRows());
        }
        model.forward(inputs, w::add, layersDone);
        return w.result();
    }

    /** The windows in batches, and the NLL summed as batches come in. */
    private static final class Windows {
        final List<int[][]> batches = new ArrayList<>(); // each (b, ctx + 1)
        final TokenStream stream;
        final int ctx;
        final double[] windowNll;
        final long t0 = System.nanoTime();
        double total;

        Windows(LlamaConfig config, TokenStream stream, int ctx, int batch) {
            if (ctx <= 0 || ctx > config.maxPositions()) {
                throw new IllegalArgumentException("context " + ctx + " must be in 1.." + config.maxPositions()
                        + " (the model's max_position_embeddings)");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch " + batch + " must be at least 1 window");
            }
            int windows = stream.windowCount(ctx);
            if (windows == 0) {
                throw new IllegalArgumentException("the text gives " + stream.ids().length + " tokens, fewer than one"
                        + " window of " + (ctx + 1) + "; give more text or a smaller --ctx");
            }
            this.stream = stream;
            this.ctx = ctx;
            this.windowNll = new double[windows];
            // Each window's ops do not depend on its batch-mates, so the split leaves every digit alone.
            int rows = MemoryCheck.forwardRows(config, ctx, batch, MemoryCheck.FORWARD_ACTIVATION_BYTES);
            for (int w0 = 0; w0 < windows; w0 += rows) {
                int[][] b = new int[Math.min(rows, windows - w0)][];
                for (int i = 0; i < b.length; i++) {
                    b[i] = stream.window(w0 + i, ctx);
                }
                batches.add(b);
            }
        }

        /** Batch j cut into inputs and targets, (b, ctx) each. */
        WindowBatch cut(int j) {
            int[][] b = batches.get(j);
            return WindowBatch.of(b, 0, b.length, ctx);
        }

        int windowsThrough(int j) {
            return Math.min(windowNll.length, (j + 1) * batches.get(0).length);
        }

        /** Adds batch j's summed NLL per window from its logits (b, ctx, vocab). */
        void add(int j, NDArray logits) {
            int b = batches.get(j).length;
            int first = j * batches.get(0).length;
            try (NDScope scope = new NDScope()) {
                NDArray targets = cut(j).targetArray(logits.getManager());
                float[] sums = Losses.tokenNll(logits, targets).sum(new int[] {1}).toFloatArray();
                for (int i = 0; i < b; i++) {
                    windowNll[first + i] = sums[i];
                    total += sums[i];
                }
                scope.suppressNotUsedWarning();
            }
        }

        Result result() {
            double seconds = (System.nanoTime() - t0) / 1e9;
            long tokens = (long) windowNll.length * ctx;
            double mean = total / tokens;
            return new Result(Math.exp(mean), mean, total / Math.log(2) / stream.utf8Bytes(), tokens,
                    windowNll.length, seconds, tokens / seconds, windowNll);
        }
    }
}
