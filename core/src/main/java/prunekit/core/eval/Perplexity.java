package prunekit.core.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.IntConsumer;
import prunekit.core.engine.Losses;
import prunekit.core.engine.Transformer;

/**
 * Perplexity under the shared protocol: windows of {@code ctx} inputs and {@code ctx} targets
 * taken back to back from a {@link TokenStream}; perplexity = exp(mean NLL over every target).
 */
public final class Perplexity {
    private Perplexity() {
    }

    /** The outcome of one evaluation; {@code windowNll} holds the summed NLL of each window. */
    public record Result(double perplexity, double meanNll, double bitsPerByte, long tokens, int windows,
                         double seconds, double tokensPerSecond, double[] windowNll) {
    }

    public static Result evaluate(Transformer model, TokenStream stream, int ctx, int batch, IntConsumer progress) {
        if (ctx <= 0 || ctx > model.config().maxPositions()) {
            throw new IllegalArgumentException("context " + ctx + " must be in 1.." + model.config().maxPositions()
                    + " (the model's max_position_embeddings)");
        }
        int windows = stream.windowCount(ctx);
        if (windows == 0) {
            throw new IllegalArgumentException("the text gives " + stream.ids().length + " tokens, fewer than one window of "
                    + (ctx + 1) + "; give more text or a smaller --ctx");
        }
        long t0 = System.nanoTime();
        double[] windowNll = new double[windows];
        double total = 0;
        for (int w0 = 0; w0 < windows; w0 += batch) {
            int b = Math.min(batch, windows - w0);
            int[][] wins = new int[b][];
            for (int i = 0; i < b; i++) {
                wins[i] = stream.window(w0 + i, ctx);
            }
            WindowBatch cut = WindowBatch.of(wins, 0, b, ctx);
            try (NDManager m = model.manager().newSubManager()) {
                NDArray ids = cut.inputArray(m);
                NDArray targets = cut.targetArray(m);
                try (NDArray logits = model.forward(ids, null, null);
                     NDArray nll = Losses.tokenNll(logits, targets).sum(new int[] {1})) {
                    float[] sums = nll.toFloatArray();
                    for (int i = 0; i < b; i++) {
                        windowNll[w0 + i] = sums[i];
                        total += sums[i];
                    }
                }
            }
            if (progress != null) {
                progress.accept(w0 + b);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long tokens = (long) windows * ctx;
        double mean = total / tokens;
        return new Result(Math.exp(mean), mean, total / Math.log(2) / stream.utf8Bytes(), tokens, windows, seconds,
                tokens / seconds, windowNll);
    }
}
